import { type DType, shortName } from "./dtype.js";
import { prod, type Shape } from "./shape.js";

/** The abstract value of an array: what tracing knows (JAX's ShapedArray). */
export class ShapedArray {
  readonly shape: Shape;
  constructor(
    shape: Shape,
    readonly dtype: DType,
    readonly weakType = false,
  ) {
    // Frozen, so that x.shape can hand out this array without copying it.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return prod(this.shape);
  }
  #key: string | undefined;
  /** f32[3,4], with a trailing "w" when weakly typed: what a jit cache keys on. */
  get key(): string {
    this.#key ??= `${this.strShort()}${this.weakType ? "w" : ""}`;
    return this.#key;
  }
  /** f32[3,4] as in a printed jaxpr. */
  strShort(): string {
    return `${shortName(this.dtype)}[${this.shape.join(",")}]`;
  }
  toString(): string {
    return `ShapedArray(${this.strShort()}${this.weakType ? ", weak_type=True" : ""})`;
  }
  equals(other: ShapedArray): boolean {
    return (
      this.dtype === other.dtype &&
      this.weakType === other.weakType &&
      this.shape.length === other.shape.length &&
      this.shape.every((d, i) => d === other.shape[i])
    );
  }
}
