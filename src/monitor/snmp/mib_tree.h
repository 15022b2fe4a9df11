#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vigil::monitor::snmp {

// An object identifier as sub-identifiers. std::vector's lexicographic
// order is the SNMP walk order, so a std::map keyed by Oid answers GETNEXT
// with upper_bound.
using Oid = std::vector<uint32_t>;

// The SMI types the KEEPALIVED-MIB and VRRPv3-MIB objects vigil serves use.
enum class MibType {
  Integer,      // INTEGER, Integer32, enumerations
  Unsigned,     // Unsigned32, Gauge32, InetPortNumber, InetAddressPrefixLength
  OctetString,  // DisplayString, InetAddress (4 or 16 raw bytes), MacAddress
  Counter32,
  Counter64,
  TimeTicks,  // TimeTicks, TimeStamp (hundredths of a second)
};

struct MibValue {
  MibType type = MibType::Integer;
  int64_t number = 0;  // Integer, Unsigned
  std::string text;    // OctetString

  static MibValue integer(int64_t v) { return {MibType::Integer, v, {}}; }
  static MibValue unsignedValue(uint32_t v) { return {MibType::Unsigned, v, {}}; }
  static MibValue octets(std::string v) { return {MibType::OctetString, 0, std::move(v)}; }
  static MibValue counter32(uint32_t v) { return {MibType::Counter32, v, {}}; }
  // Counter64 values above INT64_MAX are clamped; no vigil counter gets there.
  static MibValue counter64(uint64_t v) {
    return {MibType::Counter64, static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX)), {}};
  }
  static MibValue timeTicks(uint32_t v) { return {MibType::TimeTicks, v, {}}; }
  bool operator==(const MibValue&) const = default;
};

// Every object served, by full OID. Immutable once published: the SNMP
// thread reads it while the supervisor builds the next one.
using MibTree = std::map<Oid, MibValue>;

// The first object strictly after `oid` that lies under `root`, or end().
MibTree::const_iterator nextUnder(const MibTree& tree, const Oid& root, const Oid& oid);

std::string toString(const Oid& oid);

}  // namespace vigil::monitor::snmp
