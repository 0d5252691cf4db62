package io.github.shredcache.demo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.demo.client.ClientResponse.NodeClaim;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ClientResponseTest {
  private static ClientResponse parse(String body) {
    return ClientResponse.parse(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length()
        + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void readsNodeProtocolAndClaim() {
    ClientResponse r = parse("node: node-2\nprotocol: TLSv1.2\nhandshake: resumed (shared)\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.node()).contains("node-2");
    assertThat(r.protocol()).contains("TLSv1.2");
    assertThat(r.claim()).isEqualTo(NodeClaim.RESUMED_SHARED);
    assertThat(r.resumed()).isTrue();
  }

  @Test
  void readsEnumStyleAndKeyValueStyle() {
    assertThat(parse("node=n1 protocol=TLSv1.3 resumption=FULL").claim()).isEqualTo(NodeClaim.FULL);
    assertThat(parse("node=n1 protocol=TLSv1.3 resumption=FULL").node()).contains("n1");
    assertThat(parse("node=n1 resumption=RESUMED_LOCAL").claim()).isEqualTo(NodeClaim.RESUMED_LOCAL);
    assertThat(parse("node=n3 resumption=RESUMED_SHARED").claim())
        .isEqualTo(NodeClaim.RESUMED_SHARED);
  }

  @Test
  void readsTheDemoNodePage() {
    String page = "node: node2\nengine: bc\nprotocol: TLSv1.2\n"
        + "cipher: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\nhandshake: resumed (shared store)\n"
        + "resumption: RESUMED_SHARED\n";
    ClientResponse r = parse(page);
    assertThat(r.node()).contains("node2");
    assertThat(r.claim()).isEqualTo(NodeClaim.RESUMED_SHARED);
    assertThat(r.engine()).contains("bc");
    assertThat(parse("node: node1\nhandshake: full\nresumption: FULL\n").claim())
        .isEqualTo(NodeClaim.FULL);
    assertThat(parse("node: node1\nhandshake: resumed (local cache)\nresumption: RESUMED_LOCAL\n")
        .claim()).isEqualTo(NodeClaim.RESUMED_LOCAL);
    assertThat(parse("node: n\nhandshake: resumed (session ticket)\nresumption: RESUMED_TICKET\n")
        .claim()).isEqualTo(NodeClaim.RESUMED);
  }

  @Test
  void saysUnknownRatherThanGuessing() {
    ClientResponse r = parse("hello world\n");
    assertThat(r.node()).isEmpty();
    assertThat(r.claim()).isEqualTo(NodeClaim.UNKNOWN);
    assertThat(ClientResponse.parse(new byte[0]).status()).isEqualTo(-1);
    assertThat(parse("node: x1\nnot resumed, full handshake\n").claim()).isEqualTo(NodeClaim.FULL);
  }
}
