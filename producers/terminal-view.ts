/**
 * A block of status lines kept under everything else a command prints: `tricloud produce`'s progress per cloud and
 * `tricloud dev`'s rows per cloud are both drawn by it. On a terminal the block is redrawn in place and a line
 * printed meanwhile scrolls above it; elsewhere (a pipe, CI's log) cursor movement would only garble the text, so
 * the block is printed as plain lines, at most once per `plainEveryMs`.
 */

export interface TerminalView {
  /** Shows `lines` as the block: in place of the last drawing on a terminal; elsewhere printed when due. */
  show(lines: readonly string[]): void;
  /** Prints `line` above the block (on a terminal the block is drawn again under it). */
  print(line: string): void;
  /** Takes the block off the terminal, so what is printed next takes its place (elsewhere nothing to take off). */
  erase(): void;
  /** Leaves the block on screen as last drawn; what is printed next goes under it and nothing is redrawn. */
  keep(): void;
}

export interface TerminalViewOptions {
  /** Redraw in place (a TTY) or print plain lines (anything else). */
  tty: boolean;
  write: (text: string) => void;
  /** Elsewhere than a TTY: how the block's lines are printed (default: as they are). */
  plain?: (lines: readonly string[]) => readonly string[];
  /** Elsewhere than a TTY: at most one printing per this many ms (default 0: every `show`). */
  plainEveryMs?: number;
  now?: () => number;
}

/** Cursor up `n` lines to the first line of the block, then erase to the end of the screen. */
const up = (n: number) => (n > 0 ? `\x1b[${n}F\x1b[J` : '');

export function terminalView(options: TerminalViewOptions): TerminalView {
  const { write } = options;
  const now = options.now ?? Date.now;
  let drawn = 0;
  let last: readonly string[] = [];
  let lastPlain = Number.NEGATIVE_INFINITY;
  const draw = (lines: readonly string[]) => {
    write(`${up(drawn)}${lines.map((l) => `${l}\n`).join('')}`);
    drawn = lines.length;
    last = lines;
  };
  return {
    show(lines) {
      if (options.tty) return draw(lines);
      if (now() - lastPlain < (options.plainEveryMs ?? 0)) return;
      lastPlain = now();
      for (const line of options.plain?.(lines) ?? lines) write(`${line}\n`);
    },
    print(line) {
      if (!options.tty || drawn === 0) return write(`${line}\n`);
      write(`${up(drawn)}${line}\n`);
      drawn = 0;
      draw(last);
    },
    erase() {
      write(up(drawn));
      drawn = 0;
      last = [];
    },
    keep() {
      drawn = 0;
      last = [];
    },
  };
}
