//! The t-digest behind `quantile(method: "estimate_tdigest")` (Flux's default method, also
//! `median()`): Flux answers with a merging t-digest (arcsine scale function, compression
//! 1000 by default), not an exact quantile, and its estimates differ from interpolation
//! on small inputs. This reproduces that digest so the estimates agree to the last bit.

use std::f64::consts::PI;

#[derive(Debug, Clone, Copy)]
struct Centroid {
    mean: f64,
    weight: f64,
}

impl Centroid {
    /// Folds `other` into this centroid (running weighted mean).
    fn absorb(&mut self, other: Centroid) {
        self.weight += other.weight;
        self.mean += other.weight * (other.mean - self.mean) / self.weight;
    }
}

/// A merging t-digest that accepts values one by one.
pub struct TDigest {
    compression: f64,
    merged: Vec<Centroid>,
    pending: Vec<Centroid>,
    merged_weight: f64,
    pending_weight: f64,
    min: f64,
    max: f64,
}

impl TDigest {
    pub fn new(compression: f64) -> TDigest {
        TDigest {
            compression,
            merged: Vec::new(),
            pending: Vec::new(),
            merged_weight: 0.0,
            pending_weight: 0.0,
            min: f64::MAX,
            max: -f64::MAX,
        }
    }

    fn max_merged(&self) -> usize {
        (2.0 * self.compression.ceil()) as usize
    }

    fn max_pending(&self) -> usize {
        (8.0 * self.compression.ceil()) as usize
    }

    /// Adds one value of weight 1 (NaN is ignored).
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.pending.push(Centroid {
            mean: x,
            weight: 1.0,
        });
        self.pending_weight += 1.0;
        if self.merged.len() > self.max_merged() || self.pending.len() > self.max_pending() {
            self.merge();
        }
    }

    /// The scale function's inverse: the quantile at which centroid index `k` ends.
    fn q_of_k(&self, k: f64) -> f64 {
        ((k.min(self.compression) * PI / self.compression - PI / 2.0).sin() + 1.0) / 2.0
    }

    /// The scale function: the (fractional) centroid index at quantile `q`.
    fn k_of_q(&self, q: f64) -> f64 {
        self.compression * ((2.0 * q - 1.0).asin() + PI / 2.0) / PI
    }

    fn merge(&mut self) {
        if self.pending.is_empty() && self.merged.len() <= self.max_merged() {
            return;
        }
        let mut all = std::mem::take(&mut self.pending);
        all.append(&mut self.merged);
        all.sort_by(|a, b| a.mean.total_cmp(&b.mean));
        self.merged_weight += self.pending_weight;
        self.pending_weight = 0.0;
        let total = self.merged_weight;
        let mut out = vec![all[0]];
        let mut so_far = all[0].weight;
        let mut limit = total * self.q_of_k(1.0);
        for c in &all[1..] {
            let projected = so_far + c.weight;
            if projected <= limit {
                so_far = projected;
                if let Some(last) = out.last_mut() {
                    last.absorb(*c);
                }
            } else {
                let k = self.k_of_q(so_far / total);
                limit = total * self.q_of_k(k + 1.0);
                so_far += c.weight;
                out.push(*c);
            }
        }
        self.min = self.min.min(out[0].mean);
        self.max = self.max.max(out[out.len() - 1].mean);
        self.merged = out;
    }

    /// The estimated `q` quantile; `None` without values or for `q` outside [0, 1].
    pub fn quantile(&mut self, q: f64) -> Option<f64> {
        self.merge();
        let cs = &self.merged;
        if !(0.0..=1.0).contains(&q) || cs.is_empty() {
            return None;
        }
        if cs.len() == 1 {
            return Some(cs[0].mean);
        }
        let index = q * self.merged_weight;
        if index <= cs[0].weight / 2.0 {
            return Some(self.min + 2.0 * index / cs[0].weight * (cs[0].mean - self.min));
        }
        // Centroid i's mass is centred at `mid[i]`; the last entry is the total weight.
        let mut mid = Vec::with_capacity(cs.len() + 1);
        let mut before = 0.0;
        for c in cs {
            mid.push(before + c.weight / 2.0);
            before += c.weight;
        }
        mid.push(before);
        let upper = mid.partition_point(|&m| m < index);
        if upper + 1 != mid.len() {
            let below = index - mid[upper - 1];
            let above = mid[upper] - index;
            return Some(weighted_average(
                cs[upper - 1].mean,
                above,
                cs[upper].mean,
                below,
            ));
        }
        let last = cs[cs.len() - 1];
        let into = index - self.merged_weight - cs[upper - 1].weight / 2.0;
        let rest = cs[upper - 1].weight / 2.0 - into;
        Some(weighted_average(last.mean, into, self.max, rest))
    }
}

/// The mean of `x1` and `x2` weighted by `w1` and `w2`, kept between the two.
fn weighted_average(x1: f64, w1: f64, x2: f64, w2: f64) -> f64 {
    let (a, wa, b, wb) = if x1 <= x2 {
        (x1, w1, x2, w2)
    } else {
        (x2, w2, x1, w1)
    };
    let x = (a * wa + b * wb) / (wa + wb);
    a.max(x.min(b))
}

/// The t-digest estimate of the `q` quantile of `values` at `compression`.
pub fn estimate(values: &[f64], q: f64, compression: f64) -> Option<f64> {
    let mut d = TDigest::new(compression);
    for &v in values {
        d.add(v);
    }
    d.quantile(q)
}

#[cfg(test)]
mod tests {
    use super::estimate;

    #[test]
    fn small_inputs_interpolate_between_value_midpoints() {
        // Each value is its own centroid; q·n falls between the midpoints of ranks.
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(estimate(&xs, 0.5, 1000.0), Some(2.5));
        assert_eq!(estimate(&xs, 0.75, 1000.0), Some(3.5));
        assert_eq!(estimate(&xs, 0.0, 1000.0), Some(1.0));
        assert_eq!(estimate(&xs, 1.0, 1000.0), Some(4.0));
        assert_eq!(estimate(&[], 0.5, 1000.0), None);
        assert_eq!(estimate(&[7.0], 0.9, 1000.0), Some(7.0));
    }

    #[test]
    fn large_inputs_stay_close_to_the_true_quantile() {
        let xs: Vec<f64> = (0..100_000)
            .map(|i| ((i * 7919) % 100_000) as f64)
            .collect();
        let m = estimate(&xs, 0.5, 100.0).unwrap();
        assert!((m - 50_000.0).abs() < 500.0, "{m}");
    }
}
