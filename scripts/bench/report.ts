/** Collects bench figures: a table for people, one JSON object whose keys name each figure for scripts. */
export type Report = (key: string, label: string, value: number, unit: string) => void;

export class Figures {
  readonly values: Record<string, number> = {};
  readonly #rows: [string, string, string][] = [];

  readonly report: Report = (key, label, value, unit) => {
    this.values[key] = value;
    const digits = value < 10 ? 4 : value < 1_000 ? 1 : 0;
    this.#rows.push([label, value.toLocaleString('en-US', { maximumFractionDigits: digits }), unit]);
  };

  section(title: string): void {
    this.#rows.push([`— ${title}`, '', '']);
  }

  table(): string {
    const width = Math.max(...this.#rows.filter((r) => r[1] !== '').map((r) => r[0].length));
    return this.#rows
      .map(([label, value, unit]) =>
        value === '' ? label : `  ${label.padEnd(width)}  ${value.padStart(14)} ${unit}`,
      )
      .join('\n');
  }
}
