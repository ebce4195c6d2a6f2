// Seeded random numbers: dropout seeds, parameter initialisation, test inputs. Deterministic from a
// seed on every backend and platform (mulberry32 stream; Box-Muller for normals).

/** A seeded random number generator (reproducible across backends). */
export class Generator {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.state = seed >>> 0;
  }

  /** Everything needed to continue the stream exactly (checkpoints). */
  getState(): { state: number; spareNormal: number | null } {
    return { state: this.state, spareNormal: this.spareNormal };
  }

  /** Restores a state from getState. */
  setState(saved: { state: number; spareNormal: number | null }): void {
    if (!Number.isInteger(saved.state) || saved.state < 0 || saved.state > 0xffffffff) {
      throw new RangeError(`generator state must be a uint32, got ${saved.state}`);
    }
    this.state = saved.state;
    this.spareNormal = saved.spareNormal;
  }

  /** The next uint32 of the stream. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal. */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const u1 = 1 - this.uniform(); // in (0, 1]: log stays finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

let globalGenerator = new Generator(0x5eed);

/** The generator used when an op is not given one explicitly (like torch.manual_seed). */
export function defaultGenerator(): Generator {
  return globalGenerator;
}

/** Seeds the default generator (weight initialization, dropout). */
export function manualSeed(seed: number): void {
  globalGenerator = new Generator(seed);
}
