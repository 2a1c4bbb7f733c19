package io.instgenie.verticles.http.auth;

/**
 * Who may call the service: the keys of a keys file ({@link KeysFile}), or anyone ({@link #OPEN},
 * when none is configured).
 */
public interface ApiAccess {
  /** No keys file: every request is {@link Caller#OPEN}. */
  ApiAccess OPEN =
      new ApiAccess() {
        @Override
        public Caller caller(String bearerSecret) {
          return Caller.OPEN;
        }

        @Override
        public boolean open() {
          return true;
        }
      };

  /** The caller whose secret this is (null: unknown key or none given). */
  Caller caller(String bearerSecret);

  /** Whether requests need no key. */
  boolean open();
}
