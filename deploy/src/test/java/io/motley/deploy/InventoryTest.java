package io.motley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InventoryTest {

    static final String FULL = """
            # three hosts
            controller: 10.0.0.1:6917
            dir: /opt/motley
            hosts:
              - host: nas1.lan
                user: root
                key: ~/.ssh/id_ed25519   # the deploy key
                port: 2222
                partitions: [batch, gpu]
                features:
                  - nvme
                  - "a100"
                CoreSpecCount: 1
                MemSpecLimit: 2G
                gpus: 0,1
              - host: 10.0.0.3
                user: admin
                name: mac1
              -   host: n3
                  user: root
            """;

    @Test
    void readsHostsTheirSshSettingsAndNodeSettings() throws Exception {
        Inventory inv = Inventory.parse(FULL);
        assertThat(inv.controller()).isEqualTo("10.0.0.1:6917");
        assertThat(inv.dir()).isEqualTo("/opt/motley");
        assertThat(inv.home()).isEqualTo(Inventory.DEFAULT_HOME);
        assertThat(inv.hosts()).hasSize(3);
        Inventory.Host nas = inv.hosts().get(0);
        assertThat(nas.host()).isEqualTo("nas1.lan");
        assertThat(nas.nodeName()).isEqualTo("nas1");
        assertThat(nas.key()).isEqualTo("~/.ssh/id_ed25519");
        assertThat(nas.port()).isEqualTo(2222);
        assertThat(nas.partitions()).containsExactly("batch", "gpu");
        assertThat(nas.features()).containsExactly("nvme", "a100");
        assertThat(nas.coreSpecCount()).isEqualTo(1);
        assertThat(nas.agentOptions()).containsExactly("--core-spec", "1", "--mem-spec", "2G", "--gpus", "0,1");
        assertThat(nas.line()).isEqualTo(5);
        Inventory.Host mac = inv.hosts().get(1);
        assertThat(mac.port()).isEqualTo(22);
        assertThat(mac.nodeName()).isEqualTo("mac1");
        assertThat(mac.key()).isNull();
        assertThat(inv.hosts().get(2).nodeName()).isEqualTo("n3");
        assertThat(inv.hosts().get(2).line()).isEqualTo(19);
    }

    @Test
    void anAddressIsItsOwnNodeNameUnlessNamed() throws Exception {
        Inventory inv = Inventory.parse("hosts:\n- host: 10.0.0.7\n  user: root\n");
        assertThat(inv.hosts().get(0).nodeName()).isEqualTo("10.0.0.7");
        assertThat(inv.controller()).isNull();
    }

    static String error(String text) {
        try {
            Inventory.parse(text);
        } catch (Inventory.InvalidInventory e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + text);
    }

    @Test
    void errorsNameTheLineAndTheField() {
        assertThat(error("hosts:\n  - host: a\n    usr: root\n")).startsWith("line 3: unknown host field 'usr'");
        assertThat(error("hosts:\n  - host: a\n")).isEqualTo("line 2: this host has no 'user'");
        assertThat(error("hosts:\n  - host: a\n    user: root\n    port: 70000\n"))
                .isEqualTo("line 4: 'port' must be a whole number from 1 to 65535, got '70000'");
        assertThat(error("hosts:\n  - host: a\n    user: root\n    CoreSpecCount: two\n"))
                .startsWith("line 4: 'CoreSpecCount' must be a whole number");
        assertThat(error("hosts:\n  - host: a\n    user: root\n     key: k\n")).startsWith("line 4: field not aligned");
        assertThat(error("controler: a:1\nhosts:\n  - host: a\n    user: root\n"))
                .startsWith("line 1: unknown top-level field 'controler'");
        assertThat(error("controller: nowhere\nhosts:\n  - host: a\n    user: root\n"))
                .isEqualTo("line 1: 'controller' must be ADDRESS:PORT, got 'nowhere'");
        assertThat(error("hosts:\n\tuser: root\n")).startsWith("line 2: a tab in the indentation");
        assertThat(error("hosts:\n")).isEqualTo("line 1: 'hosts:' lists no host");
        assertThat(error("dir: /opt\n")).startsWith("line 2: no 'hosts:' list");
        assertThat(error("hosts:\n  - host: a b\n    user: root\n")).startsWith("line 2: 'host' must be");
        assertThat(error("hosts:\n  - host: a\n    user: root\n    features: [x, \n"))
                .startsWith("line 4: 'features': unterminated list");
        assertThat(error("hosts:\n  - host: a\n    user: root\n  - host: a\n    user: admin\n"))
                .isEqualTo("line 4: host a is listed twice");
        assertThat(error("hosts:\n  - host: a.x\n    user: root\n  - host: a.y\n    user: root\n"))
                .isEqualTo("line 4: node name a is used by two hosts");
        assertThat(error("hosts:\n  - host: a\n    user: root\n    user: admin\n"))
                .isEqualTo("line 4: 'user' given twice for this host");
        assertThat(error("dir: opt\nhosts:\n  - host: a\n    user: root\n"))
                .startsWith("line 1: 'dir' must be an absolute path");
        assertThat(error("hosts: [a]\n")).startsWith("line 1: 'hosts:' takes a list");
        assertThat(error("  host: a\n")).startsWith("line 1: indented line outside 'hosts:'");
    }

    @Test
    void fieldNamesAreCaseInsensitiveAsInSlurmConf() throws Exception {
        Inventory inv = Inventory.parse("HOSTS:\n  - Host: a\n    User: root\n    corespeccount: 2\n");
        assertThat(inv.hosts().get(0).coreSpecCount()).isEqualTo(2);
        assertThat(inv.hosts().get(0).partitions()).isEqualTo(List.of());
    }
}
