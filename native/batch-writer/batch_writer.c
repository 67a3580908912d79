/*
 * One frame, many sockets, one call: the fan-out's hot loop without a trip through
 * Node's stream machinery per socket. Each send() is non-blocking; the caller hands any
 * socket that did not take the whole frame back to Node's own write path, so what the
 * kernel cannot take now is queued in order, exactly as socket.write would.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <node_api.h>

#ifndef MSG_NOSIGNAL
/* macOS has no MSG_NOSIGNAL; Node ignores SIGPIPE for the whole process anyway. */
#define MSG_NOSIGNAL 0
#endif

#define CHECK(call)                                                                    \
  if ((call) != napi_ok) return throw_type_error(env);

static napi_value throw_type_error(napi_env env) {
  napi_throw_type_error(env, NULL,
                        "writeEach(fds: Int32Array, count: number, frame: Uint8Array, "
                        "written: Int32Array)");
  return NULL;
}

static int typed_array(napi_env env, napi_value value, napi_typedarray_type want,
                       void **data, size_t *length) {
  bool is_typed;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  if (napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) != napi_ok)
    return 0;
  return type == want;
}

/*
 * writeEach(fds, count, frame, written): sends frame to fds[0..count) and stores in
 * written[i] the bytes the kernel took, or -errno.
 */
static napi_value write_each(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) return throw_type_error(env);

  void *fds_data, *frame_data, *written_data;
  size_t fds_length, frame_length, written_length;
  uint32_t count;
  if (!typed_array(env, argv[0], napi_int32_array, &fds_data, &fds_length) ||
      !typed_array(env, argv[2], napi_uint8_array, &frame_data, &frame_length) ||
      !typed_array(env, argv[3], napi_int32_array, &written_data, &written_length))
    return throw_type_error(env);
  CHECK(napi_get_value_uint32(env, argv[1], &count));
  if (count > fds_length || count > written_length) return throw_type_error(env);

  const int32_t *fds = fds_data;
  int32_t *written = written_data;
  for (uint32_t i = 0; i < count; i++) {
    ssize_t n;
    do {
      /* MSG_NOSIGNAL: a peer that has gone must not raise SIGPIPE. */
      n = send(fds[i], frame_data, frame_length, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    written[i] = n < 0 ? -errno : (int32_t)n;
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "writeEach", NAPI_AUTO_LENGTH, write_each, NULL, &fn) !=
          napi_ok ||
      napi_set_named_property(env, exports, "writeEach", fn) != napi_ok)
    return NULL;
  return exports;
}
