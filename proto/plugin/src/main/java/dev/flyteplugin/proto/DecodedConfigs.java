package dev.flyteplugin.proto;

import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The last configs decoded and validated from {@code TaskTemplate.custom}, by contract and content.
 * A map task's subtasks (thousands of CreateTask calls) carry equal {@code custom} Structs:
 * decoding and validating each again was about a quarter of the agent's CPU per CreateTask (the #16
 * benchmark's profile). Messages are immutable, so one instance serves every equal Struct; a config
 * that fails validation is never cached, so each call reports it.
 */
final class DecodedConfigs {
  private static final int CAPACITY = 256;

  private record Key(Class<?> contract, Struct custom) {}

  private static final Map<Key, Message> LAST =
      new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Message> eldest) {
          return size() > CAPACITY;
        }
      };

  private DecodedConfigs() {}

  @SuppressWarnings("unchecked")
  static <C extends Message> C get(PluginContract<C> contract, Struct custom, Supplier<C> decode) {
    Key key = new Key(contract.getClass(), custom);
    synchronized (LAST) {
      Message cached = LAST.get(key);
      if (cached != null) {
        return (C) cached;
      }
    }
    C config = decode.get(); // outside the lock: decoding is the slow part
    synchronized (LAST) {
      LAST.put(key, config);
    }
    return config;
  }
}
