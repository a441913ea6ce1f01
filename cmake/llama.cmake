# The embedded llama.cpp backend (backend kind `llama`, src/backend/llama*.c).
# llama.cpp is pinned and fetched by scripts/deps.sh (scripts/llama-deps.sh) into a cache outside the
# checkout: headers from node-llama-cpp@3.21.1's git bundle (llama.cpp 80fb11ac73e6) and either the
# prebuilt CPU libraries of @node-llama-cpp/linux-x64@3.21.1 or, after `scripts/deps.sh --from-source`,
# a build from that same source (preferred when present; it also provides llama-server for the tests).
#   -DSOV_LLAMA=OFF        build without it (everything else builds and works)
#   -DSOV_LLAMA_ROOT=DIR   a directory with include/llama.h and lib/libllama.so (default: the cache)
option(SOV_LLAMA "Embedded llama.cpp backend (kind: llama); run scripts/deps.sh first" ON)
set(SOV_LLAMA_ROOT "" CACHE PATH "llama.cpp headers + libraries (include/, lib/); empty: the scripts/deps.sh cache")
if(NOT SOV_LLAMA)
  message(STATUS "llama: embedded backend disabled (-DSOV_LLAMA=OFF)")
  return()
endif()

set(_sov_llama_pin 80fb11ac73e6)
set(_sov_llama_nlc 3.21.1)
if(SOV_LLAMA_ROOT)
  set(_sov_llama_root "${SOV_LLAMA_ROOT}")
else()
  if(DEFINED ENV{SOV_LLAMA_CACHE} AND NOT "$ENV{SOV_LLAMA_CACHE}" STREQUAL "")
    set(_sov_llama_cache "$ENV{SOV_LLAMA_CACHE}")
  else()
    set(_sov_llama_cache "$ENV{HOME}/.cache/sovereign/llama")
  endif()
  # Chosen again at every configure, so a later --from-source build is picked up.
  if(EXISTS "${_sov_llama_cache}/source-${_sov_llama_pin}/.done")
    set(_sov_llama_root "${_sov_llama_cache}/source-${_sov_llama_pin}")
  else()
    set(_sov_llama_root "${_sov_llama_cache}/prebuilt-${_sov_llama_nlc}")
  endif()
endif()

set(_sov_llama_libs "")
foreach(lib llama ggml ggml-base)
  if(EXISTS "${_sov_llama_root}/lib/lib${lib}.so")
    list(APPEND _sov_llama_libs "${_sov_llama_root}/lib/lib${lib}.so")
  endif()
endforeach()
if(NOT EXISTS "${_sov_llama_root}/include/llama.h" OR NOT EXISTS "${_sov_llama_root}/include/gguf.h"
   OR NOT _sov_llama_libs MATCHES "libllama\\.so")
  message(FATAL_ERROR "llama: llama.cpp not found in '${_sov_llama_root}' (need include/llama.h and lib/libllama.so).\n"
                      "Run scripts/deps.sh to fetch the pinned llama.cpp, or configure with -DSOV_LLAMA=OFF.")
endif()
message(STATUS "llama: embedded backend with ${_sov_llama_root}")

file(GLOB SOV_LLAMA_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/backend/llama*.c)
target_sources(sovcore PRIVATE ${SOV_LLAMA_SOURCES})
target_include_directories(sovcore SYSTEM PUBLIC "${_sov_llama_root}/include")
target_compile_definitions(sovcore PUBLIC SOV_HAVE_LLAMA=1 SOV_LLAMA_LIBDIR="${_sov_llama_root}/lib")
target_link_libraries(sovcore PUBLIC ${_sov_llama_libs})
# The binaries find the libraries where they are (build and install trees alike).
set(CMAKE_BUILD_RPATH "${_sov_llama_root}/lib")
set(CMAKE_INSTALL_RPATH "${_sov_llama_root}/lib")

# llama-server from the same source (scripts/deps.sh --from-source): a real external node for the tests.
if(EXISTS "${_sov_llama_cache}/source-${_sov_llama_pin}/bin/llama-server")
  set(SOV_LLAMA_SERVER "${_sov_llama_cache}/source-${_sov_llama_pin}/bin/llama-server")
elseif(EXISTS "${_sov_llama_root}/bin/llama-server")
  set(SOV_LLAMA_SERVER "${_sov_llama_root}/bin/llama-server")
else()
  set(SOV_LLAMA_SERVER "")
endif()
