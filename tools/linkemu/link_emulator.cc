// The proxy: an accept thread, and per connection one reader and one writer
// thread per direction joined by a queue of timestamped chunks. Blocking
// sockets keep the shaping arithmetic plain; stopping shuts every socket down,
// which wakes any thread blocked on it.
#include "tools/linkemu/link_emulator.h"

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace hallsync::linkemu {
namespace {

using boost::asio::ip::tcp;
using Steady = std::chrono::steady_clock;

struct Shared {
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> connections{0}, refused{0}, cuts{0}, stalls{0}, bytes_up{0}, bytes_down{0},
      rate_waits{0}, delayed_chunks{0};
  std::mutex mutex;  // for sleeps that stop() must interrupt
  std::condition_variable wake;

  // Sleeps until `t`, or less if stopping. False when stopping.
  bool sleep_until(Steady::time_point t) {
    std::unique_lock lock(mutex);
    wake.wait_until(lock, t, [this] { return stopping.load(); });
    return !stopping;
  }
};

struct Connection;

// One direction of one connection.
class Pipe {
 public:
  Pipe(Connection& conn, tcp::socket& from, tcp::socket& to, DirectionShape shape, std::uint64_t seed, bool up,
       Shared& shared)
      : conn_(conn), from_(from), to_(to), shape_(shape), rng_(seed), up_(up), shared_(shared) {}
  void read_loop();
  void write_loop();
  void wake() {
    std::lock_guard lock(mutex_);
    cv_.notify_all();
  }

 private:
  struct Chunk {
    Steady::time_point deliver_at;
    std::vector<char> data;
  };
  bool write_shaped(const char* data, std::size_t n);
  void hold_until_source_closes();

  Connection& conn_;
  tcp::socket& from_;
  tcp::socket& to_;
  DirectionShape shape_;
  std::uint64_t rng_;
  bool up_;
  Shared& shared_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Chunk> queue_;
  bool source_done_ = false;
  Steady::time_point last_deliver_{};
  std::uint64_t forwarded_ = 0;
  double tokens_ = 0;
  Steady::time_point refilled_ = Steady::now();
};

struct Connection {
  tcp::socket client, server;
  bool reset = false;
  std::atomic<bool> cut{false};
  std::unique_ptr<Pipe> up, down;
  std::vector<std::thread> threads;
  std::atomic<int> running{4};

  Connection(tcp::socket c, tcp::socket s) : client(std::move(c)), server(std::move(s)) {}
  // Ends the connection for both peers. FIN: both get end-of-stream while the
  // readers go on draining (discarding) until each peer closes — closing a
  // socket with unread data would turn the FIN into a RST. RST: no FIN is sent;
  // the readers stop at once and the final close, with SO_LINGER 0, resets.
  void sever(bool with_reset) {
    if (cut.exchange(true)) return;
    reset = with_reset;
    for (tcp::socket* s : {&client, &server}) {
      if (with_reset) {
        boost::system::error_code ignored;
        s->set_option(boost::asio::socket_base::linger(true, 0), ignored);
        ::shutdown(s->native_handle(), SHUT_RD);
      } else {
        ::shutdown(s->native_handle(), SHUT_WR);
      }
    }
    up->wake();
    down->wake();
  }
  // Called by the last of the four threads to end, and again (harmlessly)
  // after joining them: the close is what peers see when a cut resets.
  void close_sockets() {
    boost::system::error_code ignored;
    if (client.is_open()) client.close(ignored);
    if (server.is_open()) server.close(ignored);
  }
  void finish() {
    for (auto& t : threads) t.join();
    close_sockets();
  }
};

void Pipe::read_loop() {
  std::vector<char> buf(16384);
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = from_.read_some(boost::asio::buffer(buf), ec);
    if (ec || n == 0 || shared_.stopping) break;
    if (conn_.cut) continue;  // drained and dropped: the link is gone
    int jitter = shape_.jitter_ms > 0 ? static_cast<int>(next_random(rng_) % (static_cast<unsigned>(shape_.jitter_ms) + 1)) : 0;
    auto at = Steady::now() + std::chrono::milliseconds(shape_.latency_ms + jitter);
    std::lock_guard lock(mutex_);
    last_deliver_ = std::max(last_deliver_, at);  // jitter never reorders a byte stream
    queue_.push_back({last_deliver_, std::vector<char>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n))});
    cv_.notify_all();
  }
  std::lock_guard lock(mutex_);
  source_done_ = true;
  cv_.notify_all();
}

void Pipe::write_loop() {
  for (;;) {
    Chunk chunk;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return !queue_.empty() || source_done_ || conn_.cut || shared_.stopping; });
      if (conn_.cut || shared_.stopping) return;
      if (queue_.empty()) {  // the source closed and everything is delivered: pass the FIN on
        ::shutdown(to_.native_handle(), SHUT_WR);
        return;
      }
      chunk = std::move(queue_.front());
      queue_.pop_front();
    }
    if (chunk.deliver_at > Steady::now()) {
      ++shared_.delayed_chunks;
      if (!shared_.sleep_until(chunk.deliver_at) || conn_.cut) return;
    }
    if (!write_shaped(chunk.data.data(), chunk.data.size())) return;
  }
}

// Writes through the token bucket, applying a cut or stall at its exact byte.
bool Pipe::write_shaped(const char* data, std::size_t n) {
  const std::uint64_t rate = shape_.rate_bytes_per_s;
  const std::size_t burst = rate ? static_cast<std::size_t>(std::max<std::uint64_t>(rate / 20, 512)) : n;
  while (n > 0) {
    std::size_t piece = std::min(n, burst);
    bool cut_now = shape_.cut_after_bytes && forwarded_ + piece >= shape_.cut_after_bytes;
    bool stall_now = shape_.stall_after_bytes && forwarded_ + piece >= shape_.stall_after_bytes;
    if (cut_now) piece = static_cast<std::size_t>(shape_.cut_after_bytes - forwarded_);
    if (stall_now) piece = std::min(piece, static_cast<std::size_t>(shape_.stall_after_bytes - forwarded_));
    if (rate && piece > 0) {
      auto now = Steady::now();
      tokens_ = std::min<double>(static_cast<double>(burst),
                                 tokens_ + std::chrono::duration<double>(now - refilled_).count() * static_cast<double>(rate));
      refilled_ = now;
      if (tokens_ < static_cast<double>(piece)) {
        ++shared_.rate_waits;
        double wait_s = (static_cast<double>(piece) - tokens_) / static_cast<double>(rate);
        if (!shared_.sleep_until(now + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(wait_s))))
          return false;
        tokens_ = static_cast<double>(piece);
        refilled_ = Steady::now();
      }
      tokens_ -= static_cast<double>(piece);
    }
    if (piece > 0) {
      boost::system::error_code ec;
      boost::asio::write(to_, boost::asio::buffer(data, piece), ec);
      if (ec) {
        conn_.sever(false);
        return false;
      }
      forwarded_ += piece;
      (up_ ? shared_.bytes_up : shared_.bytes_down) += piece;
      data += piece;
      n -= piece;
    }
    if (cut_now) {
      ++shared_.cuts;
      conn_.sever(shape_.reset);
      return false;
    }
    if (stall_now) {
      ++shared_.stalls;
      hold_until_source_closes();
      return false;
    }
  }
  return true;
}

// A stalled direction forwards nothing more but keeps both sockets open, until
// its source gives up (closes) or the emulator stops.
void Pipe::hold_until_source_closes() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return source_done_ || conn_.cut || shared_.stopping; });
  lock.unlock();
  conn_.sever(false);
}

}  // namespace

struct LinkEmulator::Impl {
  EmulatorOptions options;
  boost::asio::io_context io;
  tcp::acceptor acceptor{io};
  Shared shared;
  std::mutex connections_mutex;
  std::list<std::unique_ptr<Connection>> connections;
  std::thread accept_thread;

  void accept_loop() {
    for (std::uint64_t index = 0; !shared.stopping; ++index) {
      tcp::socket client(io);
      boost::system::error_code ec;
      acceptor.accept(client, ec);
      if (shared.stopping) return;
      if (ec) continue;
      reap();
      ++shared.connections;
      ConnectionPlan plan = plan_connection(options.profile, options.seed, index);
      if (plan.refuse) {
        ++shared.refused;
        client.set_option(boost::asio::socket_base::linger(true, 0), ec);
        client.close(ec);
        continue;
      }
      tcp::socket server(io);
      server.connect({boost::asio::ip::make_address(options.target_host, ec), options.target_port}, ec);
      if (ec) {
        client.close(ec);
        continue;
      }
      client.set_option(tcp::no_delay(true), ec);
      server.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_unique<Connection>(std::move(client), std::move(server));
      Connection& c = *conn;
      c.up = std::make_unique<Pipe>(c, c.client, c.server, plan.up, plan.seed, true, shared);
      c.down = std::make_unique<Pipe>(c, c.server, c.client, plan.down, plan.seed ^ 0xd0d0, false, shared);
      auto run = [&c](void (Pipe::*loop)(), Pipe* p) {
        return std::thread([&c, loop, p] {
          (p->*loop)();
          if (--c.running == 0) c.close_sockets();
        });
      };
      c.threads.push_back(run(&Pipe::read_loop, c.up.get()));
      c.threads.push_back(run(&Pipe::write_loop, c.up.get()));
      c.threads.push_back(run(&Pipe::read_loop, c.down.get()));
      c.threads.push_back(run(&Pipe::write_loop, c.down.get()));
      std::lock_guard lock(connections_mutex);
      connections.push_back(std::move(conn));
    }
  }

  // Joins connections whose four threads have all ended (long runs of the tool).
  void reap() {
    std::lock_guard lock(connections_mutex);
    for (auto it = connections.begin(); it != connections.end();) {
      if ((*it)->running == 0) {
        (*it)->finish();
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
  }

  void stop() {
    {
      std::lock_guard lock(shared.mutex);
      shared.stopping = true;
      shared.wake.notify_all();
    }
    ::shutdown(acceptor.native_handle(), SHUT_RDWR);  // wakes the blocked accept
    if (accept_thread.joinable()) accept_thread.join();
    std::lock_guard lock(connections_mutex);
    for (auto& c : connections) {
      ::shutdown(c->client.native_handle(), SHUT_RDWR);
      ::shutdown(c->server.native_handle(), SHUT_RDWR);
      c->up->wake();
      c->down->wake();
    }
    for (auto& c : connections) c->finish();
    connections.clear();
  }
};

LinkEmulator::LinkEmulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LinkEmulator::~LinkEmulator() { impl_->stop(); }

Result<std::unique_ptr<LinkEmulator>> LinkEmulator::start(const EmulatorOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  boost::system::error_code ec;
  tcp::endpoint at(boost::asio::ip::make_address(options.listen_host, ec), options.listen_port);
  if (ec) return Status::validation("linkemu: not an IP address to listen on: " + options.listen_host);
  impl->acceptor.open(at.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(at, ec);
  if (!ec) impl->acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::network("linkemu: cannot listen on " + at.address().to_string() + ":" +
                                 std::to_string(options.listen_port) + ": " + ec.message());
  Impl* raw = impl.get();
  impl->accept_thread = std::thread([raw] { raw->accept_loop(); });
  return std::unique_ptr<LinkEmulator>(new LinkEmulator(std::move(impl)));
}

std::uint16_t LinkEmulator::port() const {
  boost::system::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

std::string LinkEmulator::address() const { return impl_->options.listen_host + ":" + std::to_string(port()); }

LinkCounters LinkEmulator::counters() const {
  const Shared& s = impl_->shared;
  return {s.connections, s.refused, s.cuts, s.stalls, s.bytes_up, s.bytes_down, s.rate_waits, s.delayed_chunks};
}

}  // namespace hallsync::linkemu
