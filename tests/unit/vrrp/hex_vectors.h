#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/test_paths.h"

// Reads tests/data/vrrp/*.hex: '#' lines are comments, and each
// "# packet N ..." comment starts a new packet of whitespace-separated hex
// bytes.
namespace vigil::vrrp::testing {

inline std::vector<std::vector<uint8_t>> loadHexPackets(const std::string& name) {
  const std::string path = std::string(VIGIL_TEST_DATA) + "/vrrp/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::vector<uint8_t>> packets;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# packet", 0) == 0) {
      packets.emplace_back();
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    if (packets.empty()) throw std::runtime_error(path + ": bytes before the first packet");
    std::istringstream words(line);
    std::string word;
    while (words >> word)
      packets.back().push_back(static_cast<uint8_t>(std::stoul(word, nullptr, 16)));
  }
  return packets;
}

inline std::vector<uint8_t> bytesFromHex(const std::string& hex) {
  std::vector<uint8_t> out;
  std::istringstream words(hex);
  std::string word;
  while (words >> word) out.push_back(static_cast<uint8_t>(std::stoul(word, nullptr, 16)));
  return out;
}

}  // namespace vigil::vrrp::testing
