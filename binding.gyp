{
  "targets": [
    {
      "target_name": "transformer_native",
      "sources": [
        "native/addon.cc",
        "native/threadpool.cc",
        "native/gemm.cc",
        "native/gemm_kernels_avx512.cc",
        "native/gemm_kernels_avx2.cc",
        "native/gemm_kernels_portable.cc",
        "native/gemm_napi.cc",
        "native/kernels_napi.cc",
        "native/kernels/adam.cc",
        "native/kernels/attention.cc",
        "native/kernels/copy.cc",
        "native/kernels/cross_entropy.cc",
        "native/kernels/dropout.cc",
        "native/kernels/elementwise.cc",
        "native/kernels/embedding.cc",
        "native/kernels/layernorm.cc",
        "native/kernels/nn_napi.cc",
        "native/kernels/reduce.cc",
        "native/kernels/softmax.cc",
        "native/kernels/sparse_attention.cc",
        "native/kernels/sparse_attention_napi.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fno-trapping-math", "-pthread"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"],
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES"
      }
    }
  ]
}
