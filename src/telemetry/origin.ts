import { attrString } from './attributes.js';
import type { Attributes, Origin } from './records.js';

/**
 * Standard Claude Code attributes. A point's or record's own attribute wins over the resource's
 * (Claude Code copies user resource attributes onto every point since 2.1.161); looking in both
 * instead of merging them keeps the hot path free of object copies.
 */
export function originOf(resource: Attributes, own: Attributes): Origin {
  const get = (key: string): string | null => attrString(own, key) ?? attrString(resource, key);
  return {
    sessionId: get('session.id'),
    userId: get('user.id'),
    userEmail: get('user.email'),
    organizationId: get('organization.id'),
    machineName: get('machine.name') ?? get('host.name'),
    serviceName: get('service.name'),
    serviceVersion: get('service.version') ?? get('app.version'),
    terminalType: get('terminal.type'),
    osType: get('os.type'),
    hostArch: get('host.arch'),
  };
}
