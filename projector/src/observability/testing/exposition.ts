/** What one `/metrics` page says: names with at least one sample, and names declared by `# TYPE`. */
export interface Exposition {
  readonly sampled: Set<string>;
  readonly declared: Set<string>;
}

const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parseExposition(text: string): Exposition {
  const sampled = new Set<string>();
  const declared = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type?.[1] && type[2]) {
      for (const suffix of SUFFIXES[type[2]] ?? ['']) declared.add(type[1] + suffix);
      continue;
    }
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{|\s)/.exec(line);
    if (sample?.[1]) sampled.add(sample[1]);
  }
  return { sampled, declared };
}

export function mergeExpositions(pages: readonly Exposition[]): Exposition {
  return {
    sampled: new Set(pages.flatMap((page) => [...page.sampled])),
    declared: new Set(pages.flatMap((page) => [...page.declared])),
  };
}
