import { attrString } from './attributes.js';
import type { Attributes, Origin } from './records.js';

/** Standard Claude Code attributes, read from the merged resource + point/record attributes. */
export function originOf(attrs: Attributes): Origin {
  return {
    sessionId: attrString(attrs, 'session.id'),
    userId: attrString(attrs, 'user.id'),
    userEmail: attrString(attrs, 'user.email'),
    organizationId: attrString(attrs, 'organization.id'),
    machineName: attrString(attrs, 'machine.name') ?? attrString(attrs, 'host.name'),
    serviceName: attrString(attrs, 'service.name'),
    serviceVersion: attrString(attrs, 'service.version') ?? attrString(attrs, 'app.version'),
    terminalType: attrString(attrs, 'terminal.type'),
    osType: attrString(attrs, 'os.type'),
    hostArch: attrString(attrs, 'host.arch'),
  };
}

/** Resource attributes first, then the point's or record's own, which win on a clash. */
export function mergeAttributes(resource: Attributes, own: Attributes): Attributes {
  return { ...resource, ...own };
}
