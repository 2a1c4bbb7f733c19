package io.instgenie.verticles.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The codec of one message record: local delivery passes the same object (records are immutable by
 * contract); the wire form, for a clustered event bus, is length-prefixed JSON.
 */
public final class RecordCodec<T> implements MessageCodec<T, T> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Class<T> type;

  public RecordCodec(Class<T> type) {
    this.type = type;
  }

  @Override
  public void encodeToWire(Buffer buffer, T value) {
    try {
      byte[] bytes = JSON.writeValueAsBytes(value);
      buffer.appendInt(bytes.length).appendBytes(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    }
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int len = buffer.getInt(pos);
    try {
      return JSON.readValue(buffer.getBytes(pos + 4, pos + 4 + len), type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode " + type.getSimpleName(), e);
    }
  }

  @Override
  public T transform(T value) {
    return value;
  }

  @Override
  public String name() {
    return "instgenie." + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
