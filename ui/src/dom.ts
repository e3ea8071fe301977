/*
 * The only way this UI builds DOM: elements with attributes and text children. Text goes through
 * text nodes, so telemetry (tool inputs hold raw code and HTML) is never parsed as markup: nothing in
 * ui/ hands a string to the HTML parser.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  readonly class?: string;
  readonly title?: string;
  readonly href?: string;
  readonly type?: string;
  readonly value?: string;
  readonly placeholder?: string;
  readonly [data: `data-${string}`]: string | undefined;
  readonly [aria: `aria-${string}`]: string | undefined;
  readonly role?: string;
  readonly for?: string;
  readonly id?: string;
  readonly name?: string;
  readonly min?: string;
  readonly max?: string;
  readonly tabindex?: string;
  readonly autocomplete?: string;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    // Links only ever point inside the app, so no "javascript:" URL can come from data.
    if (name === 'href' && !String(value).startsWith('#')) throw new Error(`not an in-app link: ${value}`);
    node.setAttribute(name, String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? text(child) : child);
  }
}

export function text(value: string | number): Text {
  return document.createTextNode(String(value));
}

/** Replaces the children of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild !== null) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/** A <select> with the given options; the current value is selected. */
export function select(
  attrs: Attrs,
  options: readonly { readonly value: string; readonly label: string }[],
  current: string,
  onChange: (value: string) => void,
): HTMLSelectElement {
  const node = el('select', attrs, ...options.map((o) => el('option', { value: o.value }, o.label)));
  node.value = current;
  node.addEventListener('change', () => onChange(node.value));
  return node;
}
