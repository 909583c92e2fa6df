/**
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least
 * squares) on standardised columns; the weights come back on the raw scale so that a scorer file
 * can apply them to raw feature values. Deterministic: no random start, no step size to tune.
 */
export interface LogisticModel {
  bias: number;
  weights: number[];
}

export interface FitOptions {
  /** The L2 penalty on the standardised weights (the bias is not penalised). */
  l2?: number;
  iterations?: number;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function predict(model: LogisticModel, row: readonly number[]): number {
  let z = model.bias;
  for (let j = 0; j < row.length; j++) z += model.weights[j]! * row[j]!;
  return sigmoid(z);
}

/** Solve A x = b for a symmetric positive definite A (Cholesky); A is overwritten. */
function solveSpd(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  for (let j = 0; j < n; j++) {
    let d = a[j]![j]!;
    for (let k = 0; k < j; k++) d -= a[j]![k]! * a[j]![k]!;
    const l = Math.sqrt(Math.max(d, 1e-12));
    a[j]![j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= a[i]![k]! * a[j]![k]!;
      a[i]![j] = s / l;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i]![k]! * y[k]!;
    y[i] = s / a[i]![i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k]![i]! * x[k]!;
    x[i] = s / a[i]![i]!;
  }
  return x;
}

/** Fit P(y = 1 | x). `rows` are feature vectors of equal length, `labels` 0 or 1. */
export function fitLogistic(rows: readonly (readonly number[])[], labels: readonly number[], options: FitOptions = {}): LogisticModel {
  const l2 = options.l2 ?? 1;
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  for (const r of rows) for (let j = 0; j < d; j++) scale[j]! += (r[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]!) || 1;
  const x = rows.map((r) => Float64Array.from(r, (v, j) => (v - mean[j]!) / scale[j]!));
  // Coefficient 0 is the bias, 1..d the standardised weights.
  const beta = new Float64Array(d + 1);
  const positive = labels.reduce((s, y) => s + y, 0);
  beta[0] = Math.log((positive + 0.5) / (n - positive + 0.5));
  for (let it = 0; it < (options.iterations ?? 25); it++) {
    const grad = new Float64Array(d + 1);
    const hess = Array.from({ length: d + 1 }, () => new Float64Array(d + 1));
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      let z = beta[0]!;
      for (let j = 0; j < d; j++) z += beta[j + 1]! * xi[j]!;
      const p = sigmoid(z);
      const w = Math.max(p * (1 - p), 1e-9);
      const e = labels[i]! - p;
      grad[0]! += e;
      hess[0]![0]! += w;
      for (let j = 0; j < d; j++) {
        const wx = w * xi[j]!;
        grad[j + 1]! += e * xi[j]!;
        hess[j + 1]![0]! += wx;
        for (let k = 0; k <= j; k++) hess[j + 1]![k + 1]! += wx * xi[k]!;
      }
    }
    for (let j = 1; j <= d; j++) {
      grad[j]! -= l2 * beta[j]!;
      hess[j]![j]! += l2;
    }
    const step = solveSpd(hess, grad);
    let moved = 0;
    for (let j = 0; j <= d; j++) {
      beta[j]! += step[j]!;
      moved = Math.max(moved, Math.abs(step[j]!));
    }
    if (moved < 1e-8) break;
  }
  const weights = Array.from({ length: d }, (_, j) => beta[j + 1]! / scale[j]!);
  const bias = beta[0]! - weights.reduce((s, w, j) => s + w * mean[j]!, 0);
  return { bias, weights };
}
