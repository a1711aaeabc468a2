/** A growable set of small non-negative integers (message indexes of a room). */
export class BitSet {
  #words = new Uint32Array(8);
  #size = 0;

  /** Adds `i`; false if it was already there. */
  add(i: number): boolean {
    const w = i >>> 5;
    if (w >= this.#words.length) {
      const grown = new Uint32Array(Math.max(w + 1, this.#words.length * 2));
      grown.set(this.#words);
      this.#words = grown;
    }
    const bit = 1 << (i & 31);
    const word = this.#words[w] as number;
    if (word & bit) return false;
    this.#words[w] = word | bit;
    this.#size++;
    return true;
  }

  has(i: number): boolean {
    const w = i >>> 5;
    return w < this.#words.length && ((this.#words[w] as number) & (1 << (i & 31))) !== 0;
  }

  get size(): number {
    return this.#size;
  }

  /** How many members of this set are not in `other`. */
  missingFrom(other: BitSet): number {
    let n = 0;
    const theirs = other.#words;
    for (let w = 0; w < this.#words.length; w++) {
      const missing = (this.#words[w] as number) & ~(theirs[w] ?? 0);
      if (missing !== 0) n += popcount(missing);
    }
    return n;
  }

  /** The length of the run 0, 1, 2… that is all in the set. */
  prefix(): number {
    let i = 0;
    while (this.has(i)) i++;
    return i;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
