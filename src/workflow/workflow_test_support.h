// Helpers shared by the workflow unit tests (not part of the library).
#ifndef OW_WORKFLOW_WORKFLOW_TEST_SUPPORT_H_
#define OW_WORKFLOW_WORKFLOW_TEST_SUPPORT_H_

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace ow::workflow::testing_support {

// The bytes of src/workflow/testdata/<name>.
inline std::string LoadTestdata(const std::string& name) {
  std::ifstream in(std::string(OW_WORKFLOW_TESTDATA) + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing testdata file " + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A bpmn:definitions document with one process "p" holding `body`, with the bpmn, camunda
// and ow prefixes declared.
inline std::string Wrap(const std::string& body) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  xmlns:ow="urn:onewindow:bpmn" id="D" targetNamespace="urn:test">
  <bpmn:process id="p" isExecutable="true">)" +
         body + "</bpmn:process></bpmn:definitions>";
}

}  // namespace ow::workflow::testing_support

#endif  // OW_WORKFLOW_WORKFLOW_TEST_SUPPORT_H_
