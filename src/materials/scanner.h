// The virus scanner hook: called on an upload's file before it is stored.
//
// A Scanner returns "clean" (materials::kClean), or
//  - kInvalidArgument with the field "file" ("rejected by the virus scanner: ...")
//    when the file is infected: the upload is refused (422) and nothing is stored;
//  - kUnavailable when the scanner could not give a verdict (503; try again).
// It may block (seconds); it is called concurrently from the blocking pool.
#ifndef OW_MATERIALS_SCANNER_H_
#define OW_MATERIALS_SCANNER_H_

#include <chrono>
#include <functional>
#include <string>

#include "core/error.h"

namespace ow::materials {

using Scanner = std::function<Result<std::string>(const std::string& path)>;

// A scanner that runs `command` (split on spaces; "double" or 'single' quotes keep
// spaces in an argument; no shell) with the file's path appended as the last
// argument, e.g. "clamdscan --no-summary --fdpass". Exit status 0 means clean, 1
// infected (its first line of output becomes the reason, with the temporary path
// taken out); anything else, failing to start, or running past `timeout` (the process
// group is then killed) is kUnavailable. The child gets no stdin, no inherited
// descriptors, and the server's environment. kInvalidArgument for an empty command.
Result<Scanner> CommandScanner(const std::string& command, std::chrono::milliseconds timeout);

}  // namespace ow::materials

#endif  // OW_MATERIALS_SCANNER_H_
