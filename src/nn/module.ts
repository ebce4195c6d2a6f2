// Modules hold parameters and sub-modules under dotted names ("encoder.layers.0.ffn.w1.weight"),
// the names model files use. Training mode switches dropout on and off for the whole tree.

import { Tensor } from '../tensor/tensor.js';

/** A layer or model: named parameters and submodules, and train / eval mode. */
export abstract class Module {
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();
  private isTraining = true;

  /** Registers a trainable tensor under a local name; it is kept across tidy scopes. */
  protected parameter(name: string, value: Tensor): Tensor {
    if (this.ownParameters.has(name) || this.children.has(name)) throw new Error(`duplicate member name "${name}"`);
    value.keep().requireGrad();
    this.ownParameters.set(name, value);
    return value;
  }

  /** Registers a sub-module under a local name. */
  protected module<M extends Module>(name: string, child: M): M {
    if (this.ownParameters.has(name) || this.children.has(name)) throw new Error(`duplicate member name "${name}"`);
    this.children.set(name, child);
    return child;
  }

  /** Registers a list of sub-modules as name.0, name.1, ... */
  protected modules<M extends Module>(name: string, list: M[]): M[] {
    const holder = new ModuleList(list);
    this.module(name, holder);
    return list;
  }

  /**
   * Every parameter under its full dotted name. A tensor shared by several modules (tied embeddings)
   * appears once, under the first name met in registration order.
   */
  namedParameters(prefix = '', seen = new Set<Tensor>()): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [name, p] of this.ownParameters) {
      if (seen.has(p)) continue;
      seen.add(p);
      out.set(prefix + name, p);
    }
    for (const [name, child] of this.children) {
      for (const [n, p] of child.namedParameters(`${prefix}${name}.`, seen)) out.set(n, p);
    }
    return out;
  }

  /** Every parameter of this module and its submodules. */
  parameters(): Tensor[] {
    return [...this.namedParameters().values()];
  }

  /** Every submodule with its dotted name, this one first (named ""). */
  namedModules(prefix = ''): Map<string, Module> {
    const out = new Map<string, Module>([[prefix.replace(/\.$/, ''), this]]);
    for (const [name, child] of this.children)
      for (const [n, m] of child.namedModules(`${prefix}${name}.`)) out.set(n, m);
    return out;
  }

  /** The number of trainable values. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  get training(): boolean {
    return this.isTraining;
  }

  /** Training mode (dropout on); returns this. */
  train(on = true): this {
    this.isTraining = on;
    for (const child of this.children.values()) child.train(on);
    return this;
  }

  /** Evaluation mode (no dropout); returns this. */
  eval(): this {
    return this.train(false);
  }
}

class ModuleList<M extends Module> extends Module {
  constructor(items: M[]) {
    super();
    items.forEach((m, i) => this.module(String(i), m));
  }
}
