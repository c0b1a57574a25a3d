/**
 * A small layout engine (Lindig's "strictly pretty", as JAX's pretty_printer implements it):
 * a group prints on one line when it fits in the remaining width, otherwise its breaks
 * become newlines at the current nesting. Jaxprs print through it so that line breaking
 * matches JAX's.
 */
export type Doc =
  | { kind: "text"; text: string }
  | { kind: "break"; text: string }
  | { kind: "concat"; children: Doc[] }
  | { kind: "nest"; n: number; child: Doc }
  | { kind: "group"; child: Doc };

export const text = (s: string): Doc => ({ kind: "text", text: s });
export const brk = (s = " "): Doc => ({ kind: "break", text: s });
export const concat = (...children: Doc[]): Doc => ({ kind: "concat", children });
export const nest = (n: number, child: Doc): Doc => ({ kind: "nest", n, child });
export const group = (child: Doc): Doc => ({ kind: "group", child });
export const nil: Doc = concat();

export function join(sep: Doc, docs: readonly Doc[]): Doc {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(sep);
    out.push(d);
  });
  return concat(...out);
}

type Mode = "flat" | "break";
interface Item {
  indent: number;
  mode: Mode;
  doc: Doc;
}

/** Whether doc, laid out flat, fits in `width` columns (JAX checks the group alone). */
function fits(doc: Doc, width: number): boolean {
  const agenda: Doc[] = [doc];
  while (width >= 0 && agenda.length > 0) {
    const d = agenda.pop()!;
    if (d.kind === "text" || d.kind === "break") width -= d.text.length;
    else if (d.kind === "concat")
      for (let i = d.children.length - 1; i >= 0; i--) agenda.push(d.children[i]!);
    else agenda.push(d.child);
  }
  return width >= 0;
}

export function format(doc: Doc, width = 80): string {
  const lines: string[] = [];
  let line = "";
  const agenda: Item[] = [{ indent: 0, mode: "break", doc }];
  while (agenda.length > 0) {
    const { indent, mode, doc: d } = agenda.pop()!;
    switch (d.kind) {
      case "text":
        line += d.text;
        break;
      case "break":
        if (mode === "break") {
          lines.push(line);
          line = " ".repeat(indent);
        } else line += d.text;
        break;
      case "concat":
        for (let i = d.children.length - 1; i >= 0; i--)
          agenda.push({ indent, mode, doc: d.children[i]! });
        break;
      case "nest":
        agenda.push({ indent: indent + d.n, mode, doc: d.child });
        break;
      case "group":
        agenda.push({
          indent,
          mode: fits(d.child, width - line.length) ? "flat" : "break",
          doc: d.child,
        });
        break;
    }
  }
  lines.push(line);
  return lines.join("\n");
}
