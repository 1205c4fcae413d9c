# Third-party libraries the core links: threads, BLAS.
# Threads: large element-wise and reduction kernels run on our own pool (backend/cpu/parallel.cpp);
# no OpenMP runtime, so nothing of ours busy-waits against OpenBLAS's threads or torch's libgomp.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
target_link_libraries(tensorbridge_core PUBLIC Threads::Threads)

# BLAS + LAPACKE (backend/cpu/blas.cpp, the gemm and singular-value seam): scipy-openblas32 from the
# Python that builds us (its CBLAS/LAPACKE symbols carry a "scipy_" prefix); else a system OpenBLAS
# (apt-get install libopenblas-dev), whose library carries LAPACKE too.
if(NOT TB_PYTHON_FOR_BLAS)
  if(Python_EXECUTABLE)
    set(TB_PYTHON_FOR_BLAS ${Python_EXECUTABLE})
  else()
    find_program(TB_PYTHON_FOR_BLAS NAMES python3 python)
  endif()
endif()
if(TB_PYTHON_FOR_BLAS)
  execute_process(COMMAND "${TB_PYTHON_FOR_BLAS}" -c
    "import scipy_openblas32 as s; print(s.get_include_dir()); print(s.get_lib_dir())"
    OUTPUT_VARIABLE _tb_sob OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _tb_sob_rc ERROR_QUIET)
endif()
if(TB_PYTHON_FOR_BLAS AND _tb_sob_rc EQUAL 0)
  string(REPLACE "\n" ";" _tb_sob "${_tb_sob}")
  list(GET _tb_sob 0 TB_BLAS_INCLUDE_DIR)
  list(GET _tb_sob 1 _tb_sob_lib)
  find_library(TB_BLAS_LIBRARY NAMES scipy_openblas PATHS ${_tb_sob_lib} NO_DEFAULT_PATH)
  target_compile_definitions(tensorbridge_core PRIVATE TB_BLAS_SCIPY_PREFIX=1)
  # The installed extension finds the library in the scipy_openblas32 wheel next to ours.
  set(CMAKE_INSTALL_RPATH "$ORIGIN/../scipy_openblas32/lib")
else()
  find_path(TB_BLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas)
  find_library(TB_BLAS_LIBRARY NAMES openblas)
endif()
if(NOT TB_BLAS_LIBRARY OR NOT TB_BLAS_INCLUDE_DIR)
  message(FATAL_ERROR "No BLAS found: pip install scipy-openblas32, or apt-get install libopenblas-dev")
endif()
message(STATUS "tensorbridge BLAS: ${TB_BLAS_LIBRARY}")
target_include_directories(tensorbridge_core PRIVATE ${TB_BLAS_INCLUDE_DIR})
# OpenBLAS 0.3.27+ can run its threaded work on our pool (backend/cpu/blas_threads.cpp).
include(CheckFunctionExists)
if(_tb_sob_rc EQUAL 0 AND TB_PYTHON_FOR_BLAS)
  set(_tb_cb scipy_openblas_set_threads_callback_function)
else()
  set(_tb_cb openblas_set_threads_callback_function)
endif()
set(CMAKE_REQUIRED_LIBRARIES ${TB_BLAS_LIBRARY} Threads::Threads)
check_function_exists(${_tb_cb} TB_HAVE_BLAS_THREADS_CALLBACK)
unset(CMAKE_REQUIRED_LIBRARIES)
if(TB_HAVE_BLAS_THREADS_CALLBACK)
  target_compile_definitions(tensorbridge_core PRIVATE TB_HAVE_BLAS_THREADS_CALLBACK=1)
endif()
target_link_libraries(tensorbridge_core PUBLIC ${TB_BLAS_LIBRARY})
