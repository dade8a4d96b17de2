// The translation unit that compiles the precompiled header of src/ (cmake/pch.cmake).
