package dev.flyteplugin.jflyte.auth;

import java.io.IOException;

/** A bearer token for FlyteAdmin, fetched or refreshed as needed. */
@FunctionalInterface
public interface TokenSupplier {
  String token() throws IOException;
}
