//! The HPA + KEDA decision model: pure, synchronous, no IO. `explain` and `simulate` share it.
