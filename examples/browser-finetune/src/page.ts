/**
 * Typed access to the page's elements and form fields, so the other modules
 * never deal with `null` lookups or string-to-number parsing.
 */

/** An element by id, with its type checked; a missing id is a bug in index.html. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`index.html: #${id} is missing or not a ${type.name}`);
  return element;
}

/** The `<input name=…>` of the page. */
function field(name: string): HTMLInputElement {
  const input = document.querySelector(`input[name="${name}"]:not([type="radio"])`);
  if (!(input instanceof HTMLInputElement)) throw new Error(`index.html: input "${name}" is missing`);
  return input;
}

/** A number field's value, checked; the message names the field as the page labels it. */
export function numberField(name: string, options: { integer?: boolean; min?: number } = {}): number {
  const input = field(name);
  const value = Number(input.value);
  const min = options.min ?? Number(input.min || Number.NEGATIVE_INFINITY);
  if (!Number.isFinite(value) || value < min || (options.integer && !Number.isInteger(value))) {
    throw new Error(`${input.closest('label')?.textContent?.trim() || name}: expected ${options.integer ? 'an integer' : 'a number'} ≥ ${min}, got "${input.value}"`);
  }
  return value;
}

/** The checked value of a radio group. */
export function radioValue(name: string): string {
  const checked = document.querySelector<HTMLInputElement>(`input[type="radio"][name="${name}"]:checked`);
  if (!checked) throw new Error(`index.html: no option of "${name}" is checked`);
  return checked.value;
}

/**
 * Fills fields from the URL (`?steps=60&lr=…` uses the field names), so a
 * setting can be shared as a link and the test can shorten a run.
 */
export function prefillFromUrl(search: string): void {
  for (const [name, value] of new URLSearchParams(search)) {
    const input = document.querySelector(`input[name="${name}"]:not([type="radio"]), select[name="${name}"]`);
    if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement) input.value = value;
  }
}
