package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskHandle;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceMetaCodecTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  private final ResourceMetaCodec codec = new ResourceMetaCodec(KEY);
  private final TaskHandle handle =
      new TaskHandle(new TaskCategory("example_plugin", 0), "flytesnacks-development", "a-1b2c3d");

  @Test
  void roundTripsAHandle() throws Exception {
    assertThat(codec.decode(codec.encode(handle))).isEqualTo(handle);
  }

  @Test
  void staysWellUnder200BytesForTheLongestKubernetesNames() {
    TaskHandle longest =
        new TaskHandle(new TaskCategory("example_plugin", 0), "n".repeat(63), "r".repeat(50));
    byte[] meta = codec.encode(longest);
    assertThat(meta.length).isLessThanOrEqualTo(160);
    assertThat(codec.encode(handle).length).isLessThan(80);
  }

  @Test
  void rejectsAMetaSignedWithAnotherDeploymentsKey() {
    byte[] foreign =
        new ResourceMetaCodec("another-deployment-key-of-32-bytes!".getBytes()).encode(handle);
    assertThatThrownBy(() -> codec.decode(foreign))
        .isInstanceOf(ResourceMetaException.class)
        .hasMessageContaining("signature does not verify");
  }

  @Test
  void duringARotationAMetaSignedWithTheOldKeyStillVerifiesAndNewOnesUseTheNewKey()
      throws Exception {
    byte[] oldKey = "the old key of this deployment...".getBytes();
    byte[] newKey = "the new key of this deployment...".getBytes();
    byte[] issuedBefore = new ResourceMetaCodec(oldKey).encode(handle);
    ResourceMetaCodec rotating = new ResourceMetaCodec(List.of(newKey, oldKey));

    assertThat(rotating.decode(issuedBefore)).isEqualTo(handle);
    byte[] issuedNow = rotating.encode(handle);
    assertThat(new ResourceMetaCodec(newKey).decode(issuedNow)).isEqualTo(handle);
    assertThatThrownBy(() -> new ResourceMetaCodec(oldKey).decode(issuedNow))
        .isInstanceOf(ResourceMetaException.class);
  }

  @Test
  void aMetaSignedWithAKeyNoLongerListedNamesTheRotationProcedure() {
    byte[] removed = "a key removed from the list early".getBytes();
    byte[] meta = new ResourceMetaCodec(removed).encode(handle);
    ResourceMetaCodec codec =
        new ResourceMetaCodec(
            List.of(
                "the new key of this deployment...".getBytes(),
                "the old key of this deployment...".getBytes()));
    assertThatThrownBy(() -> codec.decode(meta))
        .isInstanceOf(ResourceMetaException.class)
        .hasMessageContaining("any of the 2 HMAC keys")
        .hasMessageContaining("HMAC key rotation")
        .hasMessageContaining("backend-plugin/agent/README.md");
  }

  @Test
  void rejectsAMetaWhoseResourceNameWasAltered() {
    byte[] meta = codec.encode(handle);
    byte[] forged = Arrays.copyOf(meta, meta.length);
    forged[meta.length - ResourceMetaCodec.TAG_BYTES - 1] ^= 1;
    assertThatThrownBy(() -> codec.decode(forged))
        .isInstanceOf(ResourceMetaException.class)
        .hasMessageContaining("forged");
  }

  @Test
  void rejectsAnotherFormatVersionNamingBothVersions() {
    byte[] meta = codec.encode(handle);
    meta[0] = 7;
    assertThatThrownBy(() -> codec.decode(meta))
        .isInstanceOf(ResourceMetaException.class)
        .hasMessageContaining("format version 7")
        .hasMessageContaining("reads versions 1 and 2");
  }

  @Test
  void rejectsEmptyAndTruncatedMeta() {
    assertThatThrownBy(() -> codec.decode(new byte[0]))
        .isInstanceOf(ResourceMetaException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3}))
        .isInstanceOf(ResourceMetaException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void refusesAShortKeyAndSaysHowToMakeOne() {
    assertThatThrownBy(() -> new ResourceMetaCodec(new byte[8]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32")
        .hasMessageContaining("/dev/urandom");
  }

  @Test
  void roundTripsATaskRejectedAtCreation() throws Exception {
    TaskCategory category = new TaskCategory("example_plugin", 0);
    byte[] meta = codec.encodeRejected(category, "invalid plugin config: sparkVersion: is missing");

    assertThat(codec.decodeMeta(meta))
        .isEqualTo(
            new ResourceMeta.Rejected(category, "invalid plugin config: sparkVersion: is missing"));
    assertThatThrownBy(() -> codec.decode(meta))
        .isInstanceOf(ResourceMetaException.class)
        .hasMessageContaining("rejected at creation and has no resource");
  }

  @Test
  void cutsALongRejectionMessageWithoutSplittingACharacter() throws Exception {
    String message = "é".repeat(2000); // two bytes each
    byte[] meta = codec.encodeRejected(new TaskCategory("example_plugin", 0), message);

    String kept = ((ResourceMeta.Rejected) codec.decodeMeta(meta)).message();
    assertThat(kept).hasSize(ResourceMetaCodec.MAX_REJECTION_BYTES / 2).matches("é+");
    assertThat(meta.length).isLessThan(ResourceMetaCodec.MAX_REJECTION_BYTES + 64);
  }

  @Test
  void rejectsARejectionWhoseMessageWasAltered() {
    byte[] meta = codec.encodeRejected(new TaskCategory("example_plugin", 0), "bad config");
    meta[meta.length - ResourceMetaCodec.TAG_BYTES - 1] ^= 1;

    assertThatThrownBy(() -> codec.decodeMeta(meta))
        .isInstanceOf(ResourceMetaException.class)
        .hasMessageContaining("signature does not verify");
  }
}
