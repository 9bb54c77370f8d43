// Anchor for the shared libtorch precompiled header (nas_torch_pch in
// third_party/dependencies.cmake); every libtorch target reuses it.
