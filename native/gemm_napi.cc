#include <napi.h>
namespace tt {
void RegisterGemm(Napi::Env, Napi::Object) {}
}  // namespace tt
