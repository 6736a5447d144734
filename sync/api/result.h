// Result<T>: a value or the Status explaining why there is none.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "sync/api/status.h"

namespace hallsync {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.is_ok() && "a Result built from a Status must carry an error");
  }

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }

  T& value() & { assert(value_); return *value_; }
  const T& value() const& { assert(value_); return *value_; }
  T&& value() && { assert(value_); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace hallsync

// Declares `lhs` from a Result-returning expression or returns its error.
#define HALLSYNC_CONCAT_INNER(a, b) a##b
#define HALLSYNC_CONCAT(a, b) HALLSYNC_CONCAT_INNER(a, b)
#define HALLSYNC_ASSIGN_OR_RETURN(lhs, expr)                              \
  auto HALLSYNC_CONCAT(hallsync_result_, __LINE__) = (expr);              \
  if (!HALLSYNC_CONCAT(hallsync_result_, __LINE__).is_ok())               \
    return HALLSYNC_CONCAT(hallsync_result_, __LINE__).status();          \
  lhs = std::move(HALLSYNC_CONCAT(hallsync_result_, __LINE__)).value()
