// The process registry's types: a stored version of a process definition.
#ifndef OW_PROCESSES_MODEL_H_
#define OW_PROCESSES_MODEL_H_

#include <cstdint>
#include <string>

namespace ow::processes {

struct Version {
  std::string key;
  int64_t version = 0;
  std::string name;
  std::string sha256;  // of the XML, hex
  std::string created_by;
  std::string created_at;
};

struct Published {
  Version version;
  bool created = false;  // false: the XML equals the latest version, nothing changed
};

}  // namespace ow::processes

#endif  // OW_PROCESSES_MODEL_H_
