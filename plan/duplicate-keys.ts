// JSON.parse keeps the last of two equal keys without a word, so a plan with "resources" twice
// would silently lose the first. This scanner finds every key repeated within one object, with its
// path, for `validate` to reject. It expects text JSON.parse has already accepted.

/** Paths of repeated keys, e.g. `resources[1].capacity.min`; empty when there are none. */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const child = (path: string, key: string | number) =>
    typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
  const readValue = (path: string): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        const key = readString();
        if (seen.has(key)) found.push(child(path, key));
        seen.add(key);
        skipSpace();
        i++; // colon
        readValue(child(path, key));
        skipSpace();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        readValue(child(path, index));
        skipSpace();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') {
      readString();
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i] as string)) i++;
  };
  readValue('');
  return found;
}
