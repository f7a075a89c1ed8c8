import { TesseraError } from "../../base/errors.js";

/** The kinds of token the expression language is made of. */
export type TokenKind = "number" | "size" | "param" | "ident" | "punct" | "end";

/** The punctuation and operator tokens, longest first (so `//` wins over `/`). */
export const PUNCTUATION = ["...", "//", "[", "]", "(", ")", ",", ":", "+", "-", "*", "/", "%"] as const;

/** One punctuation or operator token text. */
export type Punct = (typeof PUNCTUATION)[number];

/**
 * One token: its kind, its text as written (names without their `$`/`@` sigil), its value for
 * numbers, and the 1-based column where it starts (the end token sits one past the last character).
 */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: number;
  /** True for a number written with digits only (no `.` or exponent): the only kind integer expressions accept. */
  readonly integral: boolean;
  readonly column: number;
}

/**
 * The `syntax_error` every stage of the language raises: `column 7: expected ']' but found end of input`,
 * with the same facts in the context for machines.
 */
export function syntaxError(source: string, column: number, expected: string, found: string): TesseraError {
  return new TesseraError("syntax_error", `column ${column}: expected ${expected} but found ${found}`, {
    source,
    column,
    expected,
    found,
  });
}

/** How a token reads in an error message: `end of input` or the text in quotes, sigil included. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case "end":
      return "end of input";
    case "size":
      return `'$${token.text}'`;
    case "param":
      return `'@${token.text}'`;
    default:
      return `'${token.text}'`;
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const NUMBER = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/;

/** Splits `source` into tokens, ending with one `end` token; throws `syntax_error` on a stray character. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const column = i + 1;
    if (DIGIT.test(c)) {
      const text = NUMBER.exec(source.slice(i))![0];
      tokens.push({ kind: "number", text, value: Number(text), integral: /^[0-9]+$/.test(text), column });
      i += text.length;
      continue;
    }
    if (NAME_START.test(c)) {
      const text = readName(source, i);
      tokens.push({ kind: "ident", text, value: 0, integral: false, column });
      i += text.length;
      continue;
    }
    if (c === "$" || c === "@") {
      const text = readName(source, i + 1);
      if (text === "") {
        const next = source[i + 1];
        throw syntaxError(
          source,
          column + 1,
          `a name after '${c}'`,
          next === undefined ? "end of input" : `'${next}'`,
        );
      }
      tokens.push({ kind: c === "$" ? "size" : "param", text, value: 0, integral: false, column });
      i += text.length + 1;
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
    if (punct === undefined) {
      const expected = c === "." ? "'...'" : "a number, name, operator or bracket";
      throw syntaxError(source, column, expected, `'${c}'`);
    }
    tokens.push({ kind: "punct", text: punct, value: 0, integral: false, column });
    i += punct.length;
  }
  tokens.push({ kind: "end", text: "", value: 0, integral: false, column: source.length + 1 });
  return tokens;
}

function readName(source: string, from: number): string {
  if (from >= source.length || !NAME_START.test(source[from]!)) return "";
  let end = from + 1;
  while (end < source.length && NAME_PART.test(source[end]!)) end++;
  return source.slice(from, end);
}
