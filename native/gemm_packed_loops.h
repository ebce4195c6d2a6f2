// The loops of the skinny path (Kernel::packed) over a product with weights packed in panels (see
// kPanel in gemm_kernels.h). Each kernel file includes this inside its anonymous namespace, after
// defining TT_TARGET, kRowPanels (how many row x panel accumulators its registers hold) and
// packed_block<MR, NP, kFetch>, which computes MR rows of C over NP panels in one sweep of K (kFetch:
// the first sweep, the one that brings the panels from memory, may ask for them ahead; later blocks of
// rows find them in cache).
// No include guard on purpose: one copy per including translation unit, compiled for its instruction set.

// The last r < R rows as one block of exactly r rows: one sweep of the panels for them all, where
// blocks of one row would each sweep them with a single chain of dependent multiply-adds.
template <int NP, int R, bool kFetch>
TT_TARGET void packed_tail(int64_t r, int64_t K, const float* a, int64_t lda, const float* bp, const float* bias,
                           float* c, int64_t ldc, int64_t cols) {
  if constexpr (R > 0) {
    if (r == R) return packed_block<R, NP, kFetch>(K, a, lda, bp, bias, c, ldc, cols);
    packed_tail<NP, R - 1, kFetch>(r, K, a, lda, bp, bias, c, ldc, cols);
  }
}

// Every block of rows sweeps the same NP panels, which stay in L1/L2 after the first sweep: the
// weights stream from memory once whatever M is, during the first block's sweep.
template <int NP>
TT_TARGET void packed_group(int64_t M, int64_t K, const float* a, int64_t lda, const float* bp,
                            const float* bias, float* c, int64_t ldc, int64_t cols) {
  constexpr int MR = kRowPanels / NP > 0 ? kRowPanels / NP : 1;
  int64_t i = 0;
  if (M >= MR) {
    packed_block<MR, NP, true>(K, a, lda, bp, bias, c, ldc, cols);
    i = MR;
  }
  for (; i + MR <= M; i += MR)
    packed_block<MR, NP, false>(K, a + i * lda, lda, bp, bias, c + i * ldc, ldc, cols);
  if (i == 0) return packed_tail<NP, MR - 1, true>(M, K, a, lda, bp, bias, c, ldc, cols);
  packed_tail<NP, MR - 1, false>(M - i, K, a + i * lda, lda, bp, bias, c + i * ldc, ldc, cols);
}

// Groups of NP panels, then the panels left over one at a time.
template <int NP>
TT_TARGET void packed_groups(int64_t M, int64_t K, const float* a, int64_t lda, const float* bp, int64_t n,
                             const float* bias, float* c, int64_t ldc) {
  const int64_t width = NP * kPanel;
  auto at = [&](int64_t j) { return bias == nullptr ? nullptr : bias + j; };
  int64_t j = 0;
  for (; j + width <= n; j += width) packed_group<NP>(M, K, a, lda, bp + j * K, at(j), c + j, ldc, width);
  for (; j < n; j += kPanel)
    packed_group<1>(M, K, a, lda, bp + j * K, at(j), c + j, ldc, n - j < kPanel ? n - j : kPanel);
}
