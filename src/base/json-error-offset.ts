/**
 * The offset of the first character at which `text` stops being JSON (`text.length` when it
 * ends too early), or undefined when it is valid JSON. Used to place a `JSON.parse` error,
 * whose message gives no position for many errors ("Unexpected token ']'" in `[1, 2,]` → 6).
 */
export function jsonErrorOffset(text: string): number | undefined {
  const s = new JsonScan(text);
  return s.value() && s.end() ? undefined : s.at;
}

const LITERALS = ["true", "false", "null"] as const;

/** A recursive-descent recognizer of RFC 8259 JSON; on failure `at` is where it stopped. */
class JsonScan {
  at = 0;

  constructor(private readonly text: string) {}

  end(): boolean {
    this.space();
    return this.at === this.text.length;
  }

  value(): boolean {
    this.space();
    const c = this.text[this.at];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const word of LITERALS) {
      if (c !== word[0]) continue;
      for (const ch of word) {
        if (this.text[this.at] !== ch) return false;
        this.at++;
      }
      return true;
    }
    return false;
  }

  private space(): void {
    while (" \t\n\r".includes(this.text[this.at] ?? "x")) this.at++;
  }

  private eat(ch: string): boolean {
    this.space();
    if (this.text[this.at] !== ch) return false;
    this.at++;
    return true;
  }

  private object(): boolean {
    this.at++;
    if (this.eat("}")) return true;
    do {
      this.space();
      if (this.text[this.at] !== '"' || !this.string() || !this.eat(":") || !this.value()) return false;
    } while (this.eat(","));
    return this.eat("}");
  }

  private array(): boolean {
    this.at++;
    if (this.eat("]")) return true;
    do {
      if (!this.value()) return false;
    } while (this.eat(","));
    return this.eat("]");
  }

  private string(): boolean {
    this.at++;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined || c < " ") return false;
      this.at++;
      if (c === '"') return true;
      if (c !== "\\") continue;
      const e = this.text[this.at];
      if (e === "u") {
        this.at++;
        for (let k = 0; k < 4; k++, this.at++)
          if (!/[0-9a-fA-F]/.test(this.text[this.at] ?? "")) return false;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.at++;
      else return false;
    }
  }

  private number(): boolean {
    if (this.text[this.at] === "-") this.at++;
    if (this.text[this.at] === "0") this.at++;
    else if (!this.digits()) return false;
    if (this.text[this.at] === ".") {
      this.at++;
      if (!this.digits()) return false;
    }
    if (this.text[this.at] === "e" || this.text[this.at] === "E") {
      this.at++;
      if (this.text[this.at] === "+" || this.text[this.at] === "-") this.at++;
      if (!this.digits()) return false;
    }
    return true;
  }

  /** Skips one or more decimal digits; false when there is none. */
  private digits(): boolean {
    const from = this.at;
    while (/[0-9]/.test(this.text[this.at] ?? "")) this.at++;
    return this.at > from;
  }
}
