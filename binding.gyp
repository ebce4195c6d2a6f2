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
        "native/gemm_kernels_wasm.cc",
        # Every .cc file of native/kernels and native/napi, so that a new kernel needs no line here.
        "<!@(node -p \"['native/kernels', 'native/napi'].flatMap((d) => require('fs').readdirSync(d).filter((f) => f.endsWith('.cc')).map((f) => d + '/' + f)).join(' ')\")"
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
