/**
 * The one terminal view `tricloud produce` and `tricloud dev` draw with: a block redrawn in place on a TTY with
 * printed lines scrolling above it, plain lines at most every so often elsewhere.
 */
import { describe, expect, it } from 'vitest';
import type { ProducerStats } from '../../producers/producer.ts';
import { progressView } from '../../producers/progress.ts';
import { terminalView } from '../../producers/terminal-view.ts';

const ESC = String.fromCharCode(27);
const UP = new RegExp(`^${ESC}\\[(\\d+)F$`);
const ERASE = `${ESC}[J`;

/** What a terminal shows after `text`: plain writes plus "cursor up n lines" and "erase to the end". */
function screen(text: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  for (const token of text.split(new RegExp(`(${ESC}\\[\\d+F|${ESC}\\[J|\\n)`))) {
    const up = UP.exec(token);
    if (up) row = Math.max(0, row - Number(up[1]));
    else if (token === ERASE) {
      lines.splice(row + 1);
      lines[row] = '';
    } else if (token === '\n') {
      row++;
      if (lines.length <= row) lines.push('');
    } else if (token !== '') lines[row] = token;
  }
  return lines.slice(0, row);
}

function recorder() {
  let text = '';
  return {
    write: (t: string) => {
      text += t;
    },
    text: () => text,
  };
}

describe('the terminal view', () => {
  it('redraws the block in place on a TTY, and a printed line scrolls above it', () => {
    const out = recorder();
    const view = terminalView({ tty: true, write: out.write });
    view.show(['a 1', 'b 1']);
    view.show(['a 2', 'b 2', 'c 2']);
    view.print('hello');
    view.show(['a 3']);
    expect(screen(out.text())).toEqual(['hello', 'a 3']);
  });

  it('takes the block off for what comes next, or keeps it and prints under it', () => {
    const erased = recorder();
    const a = terminalView({ tty: true, write: erased.write });
    a.show(['a', 'b']);
    a.erase();
    erased.write('summary\n');
    expect(screen(erased.text())).toEqual(['summary']);

    const kept = recorder();
    const b = terminalView({ tty: true, write: kept.write });
    b.show(['a', 'b']);
    b.keep();
    b.print('after');
    expect(screen(kept.text())).toEqual(['a', 'b', 'after']);
  });

  it('prints plain lines elsewhere, shaped by the caller, at most once per interval', () => {
    const out = recorder();
    let now = 0;
    const view = terminalView({
      tty: false,
      write: out.write,
      plain: (lines) => [lines.join(' | ')],
      plainEveryMs: 1_000,
      now: () => now,
    });
    view.show(['a', 'b']);
    now = 500;
    view.show(['skipped']);
    view.print('said');
    now = 1_000;
    view.show(['c', 'd']);
    expect(out.text()).toBe('a | b\nsaid\nc | d\n');
    expect(out.text()).not.toContain(ESC);
  });
});

describe("the producer's progress", () => {
  it('draws its status on a TTY and leaves only the summary when done', () => {
    const out = recorder();
    const view = progressView({ json: false, tty: true, write: out.write });
    const stats: ProducerStats = {
      source: 'synthetic',
      route: 'partition',
      read: 10,
      rejected: 0,
      duplicates: 0,
      perCloud: {
        aws: { records: 10, messages: 1, spooled: 0, replayed: 0, failures: 0, rerouted: 0, healthy: true },
      },
      seconds: 1,
      rate: 10,
      delivered: true,
      stateDir: 's',
      rejectsFile: 'r',
    };
    view.update(stats);
    expect(screen(out.text())[0]).toMatch(/^synthetic → partition: read 10,/);
    view.done(stats);
    const shown = screen(out.text());
    expect(shown[0]).toMatch(/^synthetic: read 10 records in 1\.0 s/);
    expect(shown.at(-1)).toBe('✔ every record read was accepted by its cloud');
  });
});
