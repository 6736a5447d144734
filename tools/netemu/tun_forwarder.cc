// The poll loop: read what is ready, schedule it, write what is due, and sleep
// (ppoll, microsecond timeout) until the next packet is due or one arrives.
#include "tools/netemu/tun_forwarder.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "tools/linkemu/link_shape.h"

namespace hallsync::netemu {
namespace {

struct Held {
  std::int64_t release_us;
  std::vector<char> packet;
};

// One direction: its scheduler and the packets in its delay line, in release
// order (the scheduler never releases out of order).
struct Lane {
  Lane(DirectionParams params, std::uint64_t seed, int source, int sink) : scheduler(params, seed), from(source), to(sink) {}
  PacketScheduler scheduler;
  int from, to;
  std::deque<Held> held;
};

}  // namespace

struct TunForwarder::Impl {
  Impl(int a, int b, DirectionParams a_to_b, DirectionParams b_to_a, std::uint64_t up_seed, std::uint64_t down_seed)
      : up(a_to_b, up_seed, a, b), down(b_to_a, down_seed, b, a) {}
  Lane up, down;
  int wake_fd = -1;
  std::thread thread;
  mutable std::mutex mutex;  // guards the lanes' counters and write errors for counters()
  std::uint64_t write_errors = 0;
  int last_write_error = 0;
  int poll_error = 0;
  std::chrono::steady_clock::time_point epoch = std::chrono::steady_clock::now();

  std::int64_t now_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - epoch).count();
  }

  // Reads every packet waiting on the lane's source (a bounded number per
  // wake, so a flood one way never starves the other).
  void read_ready(Lane& lane) {
    std::vector<char> buf(65536);
    for (int i = 0; i < 256; ++i) {
      ssize_t n = read(lane.from, buf.data(), buf.size());
      if (n <= 0) return;  // EAGAIN: drained (a TUN read has no other transient error)
      std::lock_guard lock(mutex);
      Decision d = lane.scheduler.offer(now_us(), static_cast<std::size_t>(n));
      if (d.verdict == Verdict::Deliver) lane.held.push_back({d.release_us, std::vector<char>(buf.data(), buf.data() + n)});
    }
  }

  void write_due(Lane& lane, std::int64_t now) {
    while (!lane.held.empty() && lane.held.front().release_us <= now) {
      const auto& p = lane.held.front().packet;
      if (write(lane.to, p.data(), p.size()) != static_cast<ssize_t>(p.size())) {
        std::lock_guard lock(mutex);
        ++write_errors;
        last_write_error = errno;
      }
      lane.held.pop_front();
    }
  }

  void loop() {
    for (;;) {
      std::int64_t now = now_us();
      write_due(up, now);
      write_due(down, now);
      std::int64_t next = -1;
      for (Lane* lane : {&up, &down})
        if (!lane->held.empty() && (next < 0 || lane->held.front().release_us < next)) next = lane->held.front().release_us;
      timespec timeout{};
      if (next >= 0) {
        std::int64_t wait = std::max<std::int64_t>(0, next - now);
        timeout.tv_sec = wait / 1'000'000;
        timeout.tv_nsec = (wait % 1'000'000) * 1000;
      }
      pollfd fds[3] = {{up.from, POLLIN, 0}, {down.from, POLLIN, 0}, {wake_fd, POLLIN, 0}};
      if (ppoll(fds, 3, next >= 0 ? &timeout : nullptr, nullptr) < 0 && errno != EINTR) {
        int e = errno;
        std::lock_guard lock(mutex);
        poll_error = e;
        return;
      }
      if (fds[2].revents) return;  // stop
      // A TUN device that went away would wake ppoll at once forever.
      if ((fds[0].revents | fds[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) {
        std::lock_guard lock(mutex);
        poll_error = EIO;
        return;
      }
      if (fds[0].revents & POLLIN) read_ready(up);
      if (fds[1].revents & POLLIN) read_ready(down);
    }
  }
};

Result<std::unique_ptr<TunForwarder>> TunForwarder::start(int tun_a, int tun_b, DirectionParams up, DirectionParams down,
                                                          std::uint64_t seed) {
  std::uint64_t state = seed;
  std::uint64_t up_seed = linkemu::next_random(state), down_seed = linkemu::next_random(state);
  auto impl = std::make_unique<Impl>(tun_a, tun_b, up, down, up_seed, down_seed);
  impl->wake_fd = eventfd(0, EFD_CLOEXEC);
  if (impl->wake_fd < 0) return Status::internal(std::string("netemu: eventfd: ") + std::strerror(errno));
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->loop(); });
  return std::unique_ptr<TunForwarder>(new TunForwarder(std::move(impl)));
}

TunForwarder::TunForwarder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TunForwarder::~TunForwarder() {
  std::uint64_t one = 1;
  if (write(impl_->wake_fd, &one, sizeof one) != sizeof one) std::abort();  // cannot stop the thread: never leave it running
  impl_->thread.join();
  close(impl_->wake_fd);
}

ForwarderCounters TunForwarder::counters() const {
  std::lock_guard lock(impl_->mutex);
  return {impl_->up.scheduler.counters(), impl_->down.scheduler.counters(), impl_->write_errors, impl_->last_write_error,
          impl_->poll_error};
}

}  // namespace hallsync::netemu
