package io.motley.core.hostlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostlistTest {

    private static List<String> hosts(String spaceSeparated) {
        return spaceSeparated.isEmpty() ? List.of() : Arrays.asList(spaceSeparated.split(" "));
    }

    @Nested
    class Expand {

        @ParameterizedTest(name = "\"{0}\"")
        @CsvSource(
                delimiter = '|',
                value = {
                    "gpu1|gpu1",
                    "vm|vm",
                    "node[1-3]|node1 node2 node3",
                    "node[01-09,12]|node01 node02 node03 node04 node05 node06 node07 node08 node09 node12",
                    "n[1-3,5]|n1 n2 n3 n5",
                    "n[5,1-2]|n5 n1 n2",
                    "n[7]|n7",
                    "n[9-11]|n9 n10 n11",
                    "n[098-101]|n098 n099 n100 n101",
                    "n[1,01,001]|n1 n01 n001",
                    "n[0-2]|n0 n1 n2",
                    "a1,b1|a1 b1",
                    "a,b,c|a b c",
                    "node[1-2],gpu[3-4]|node1 node2 gpu3 gpu4",
                    "rack[1-2]-n[1-3]|rack1-n1 rack1-n2 rack1-n3 rack2-n1 rack2-n2 rack2-n3",
                    "[1-3]|1 2 3",
                    "n[1-2]x|n1x n2x",
                    "n[1-2].cluster.org|n1.cluster.org n2.cluster.org",
                    "n1[0-2]|n10 n11 n12",
                    "n1,n1,n[1-2]|n1 n1 n1 n2",
                    "n3,n1,n2|n3 n1 n2",
                    "'n1, n2'|n1 n2",
                    "n1 n2|n1 n2",
                    "n1,,n2|n1 n2",
                    "' n[1-2] '|n1 n2",
                })
        void expandsSlurmExpressions(String expr, String expected) {
            assertThat(Hostlist.expand(expr)).containsExactlyElementsOf(hosts(expected));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "\t\n", ",", " , "})
        void blankGivesNoHosts(String expr) {
            assertThat(Hostlist.expand(expr)).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "node[",
                    "node[1-3",
                    "node]",
                    "node1-3]",
                    "node[3-1]",
                    "node[a-b]",
                    "node[1-b]",
                    "node[]",
                    "node[1-]",
                    "node[-3]",
                    "node[1-2-3]",
                    "node[1,]",
                    "node[,1]",
                    "node[1,,2]",
                    "n[[1-2]]",
                    "n[1-2[3]]",
                    "n[ 1-2]",
                    "n[1 - 2]",
                    "n[+1-2]",
                    "n[0x1]",
                    "n[٣]",
                    "n[1234567890123456789]"
                })
        void rejectsMalformedExpressions(String expr) {
            assertThatThrownBy(() -> Hostlist.expand(expr))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(expr);
        }

        @Test
        void backwardsRangeIsNamed() {
            assertThatThrownBy(() -> Hostlist.expand("node[3-1]"))
                    .hasMessage("range '3-1' in hostlist 'node[3-1]' runs backwards");
        }

        @Test
        void refusesExpressionsThatWouldExhaustMemory() {
            assertThatThrownBy(() -> Hostlist.expand("n[0-999999999999]"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("more than");
            assertThatThrownBy(() -> Hostlist.expand("a[1-2000]b[1-2000]"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(Hostlist.expand("n[1-" + Hostlist.MAX_HOSTS + "]")).hasSize(Hostlist.MAX_HOSTS);
            assertThatThrownBy(() -> Hostlist.expand("n[1-" + Hostlist.MAX_HOSTS + "],x"))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void refusesExpressionsWhoseNamesAddUpToTooManyCharacters() {
            // Found by the fuzz target: a 200,000-character name times 10,240 numbers allocated 2 GB, and a
            // 63-character
            // expression of 999,999 names with non-Latin-1 characters 302 MiB; the host count alone was within
            // MAX_HOSTS.
            assertThatThrownBy(() -> Hostlist.expand("x".repeat(1000) + "[0-1048575]"))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("more than 33554432 characters");
            assertThatThrownBy(() -> Hostlist.expand("y".repeat(200_000) + "[0-1023]01[0-9]-1"))
                    .hasMessageContaining("characters");
            assertThatThrownBy(() -> Hostlist.expand(
                            "922\u00e9372036854775807[01-999999]99999\ufffd7\\99999node9999999999999960"))
                    .hasMessageContaining("characters");
            assertThatThrownBy(() -> Hostlist.expand("a".repeat(30) + "[0-599999]," + "b".repeat(30) + "[0-399999]"))
                    .as("counted over the whole expression")
                    .hasMessageContaining("characters");
            assertThat(Hostlist.expand("a".repeat(24) + "[0-1048575]")).hasSize(Hostlist.MAX_HOSTS);
        }

        @Test
        void aMillionPaddedNumbersStayWellUnderAQuarterGigabyte() {
            long before = io.motley.core.Allocations.now();
            List<String> hosts = Hostlist.expand("n[000000000000000000-000000000001048575]");
            assertThat(io.motley.core.Allocations.now() - before)
                    .as("bytes allocated")
                    .isLessThan(240L << 20);
            assertThat(hosts)
                    .hasSize(Hostlist.MAX_HOSTS)
                    .startsWith("n000000000000000000")
                    .endsWith("n000000000001048575");
        }

        @Test
        void manyBracketsInOneNameDoNotOverflowTheStack() {
            // The cartesian product recursed once per bracket: 5,000 brackets threw StackOverflowError.
            List<String> hosts = Hostlist.expand("n" + "[1]".repeat(50_000));
            assertThat(hosts).containsExactly("n" + "1".repeat(50_000));
            assertThat(Hostlist.expand("a[1-2]b[3-4]c[5,7]"))
                    .containsExactly("a1b3c5", "a1b3c7", "a1b4c5", "a1b4c7", "a2b3c5", "a2b3c7", "a2b4c5", "a2b4c7");
            assertThat(Hostlist.expand("[0-1]".repeat(20)))
                    .hasSize(1 << 20)
                    .startsWith("0".repeat(20))
                    .endsWith("1".repeat(20));
        }

        @Test
        void resultIsModifiable() {
            List<String> hosts = Hostlist.expand("n[1-2]");
            hosts.add("n3");
            assertThat(hosts).containsExactly("n1", "n2", "n3");
        }
    }

    @Nested
    class Compress {

        @ParameterizedTest(name = "{0} -> \"{1}\"")
        @CsvSource(
                delimiter = '|',
                value = {
                    "vm|vm",
                    "n7|n7",
                    "n1 n2 n3 n5|n[1-3,5]",
                    "node01 node02|node[01-02]",
                    "a1 b1|a1,b1",
                    "n5 n3 n1 n2|n[1-3,5]",
                    "n1 n1 n2|n[1-2]",
                    "n7 n7|n7",
                    "n9 n10 n11|n[9-11]",
                    "n10 n9|n[9-10]",
                    "n098 n099 n100|n[098-100]",
                    "node1 node3 node5|node[1,3,5]",
                    "node01 node02 node3|node[01-02,3]",
                    "n1 n01|n[1,01]",
                    "gpu2 gpu1 cpu1 cpu2|cpu[1-2],gpu[1-2]",
                    "vm b a|a,b,vm",
                    "n n1 n2|n,n[1-2]",
                    "rack1-n1 rack1-n2 rack2-n1 rack2-n2|rack1-n[1-2],rack2-n[1-2]",
                    "1 2 3|[1-3]",
                    "n1.x n2.x|n1.x,n2.x",
                    "n0 n1|n[0-1]",
                    "n1x n2x|n1x,n2x",
                    "n1 n2 n3 n4 n6 n7 n9|n[1-4,6-7,9]",
                })
        void compressesLikeSlurm(String hostNames, String expected) {
            assertThat(Hostlist.compress(hosts(hostNames))).isEqualTo(expected);
        }

        @Test
        void emptyGivesEmptyString() {
            assertThat(Hostlist.compress(List.of())).isEmpty();
        }

        @Test
        void acceptsAnyCollection() {
            assertThat(Hostlist.compress(Set.of("n2", "n1"))).isEqualTo("n[1-2]");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "a,b", "n[1]", "n]", "a b", "a\tb"})
        void rejectsNamesThatCannotBeWritten(String name) {
            assertThatThrownBy(() -> Hostlist.compress(List.of("ok1", name)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + name + "'");
        }

        @Test
        void veryLongNumbersStayWhole() {
            String big = "n12345678901234567890";
            assertThat(Hostlist.compress(List.of(big, "n1"))).isEqualTo("n1," + big);
        }
    }

    @Nested
    class RoundTrip {

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(
                strings = {
                    "vm",
                    "n7",
                    "n[1-3,5]",
                    "node[01-02]",
                    "a1,b1",
                    "node[01-09,12]",
                    "n[9-11]",
                    "n[098-101]",
                    "cpu[1-2],gpu[1-2]",
                    "rack1-n[1-3],rack2-n[1-3]",
                    "[1-3]",
                    "a,b,n[1-4,6-7,9],z[001-100]",
                    "n[0-1]",
                    "n,n[1-2]"
                })
        void compressedExpressionsAreFixedPoints(String expr) {
            assertThat(Hostlist.compress(Hostlist.expand(expr))).isEqualTo(expr);
        }

        @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
        @CsvSource(
                delimiter = '|',
                value = {
                    "n[5,1-3]|n[1-3,5]",
                    "n3,n1,n2|n[1-3]",
                    "node[1-2],node[3-4]|node[1-4]",
                    "rack[1-2]-n[1-3]|rack1-n[1-3],rack2-n[1-3]",
                    "n[1-3],n[2-4]|n[1-4]",
                    "gpu1,cpu[1-2],gpu2|cpu[1-2],gpu[1-2]",
                })
        void compressNormalisesExpressions(String expr, String expected) {
            String once = Hostlist.compress(Hostlist.expand(expr));
            assertThat(once).isEqualTo(expected);
            assertThat(Hostlist.compress(Hostlist.expand(once))).isEqualTo(once);
        }

        @Test
        void randomHostSetsSurviveCompressAndExpand() {
            String[] prefixes = {"n", "node", "gpu", "rack1-n", "a.b", ""};
            for (long seed = 1; seed <= 300; seed++) {
                Random random = new Random(seed);
                List<String> names = new ArrayList<>();
                int count = 1 + random.nextInt(60);
                for (int i = 0; i < count; i++) {
                    String prefix = prefixes[random.nextInt(prefixes.length)];
                    int number = random.nextInt(random.nextBoolean() ? 20 : 1200);
                    int width = random.nextInt(5);
                    String digits = width == 0 ? Integer.toString(number) : String.format("%0" + width + "d", number);
                    names.add(random.nextInt(15) == 0 && !prefix.isEmpty() ? prefix + "x" : prefix + digits);
                }
                String compressed = Hostlist.compress(names);
                List<String> expanded = Hostlist.expand(compressed);

                assertThat(expanded)
                        .as("seed %d: %s", seed, compressed)
                        .doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(new LinkedHashSet<>(names));
                assertThat(Hostlist.compress(expanded)).as("seed %d", seed).isEqualTo(compressed);
                List<String> shuffled = new ArrayList<>(names);
                Collections.shuffle(shuffled, random);
                assertThat(Hostlist.compress(shuffled))
                        .as("seed %d order", seed)
                        .isEqualTo(compressed);
            }
        }

        @Test
        void randomExpressionsExpandTheSameAfterCompressing() {
            for (long seed = 1; seed <= 300; seed++) {
                Random random = new Random(seed * 7919);
                List<String> items = new ArrayList<>();
                int itemCount = 1 + random.nextInt(4);
                for (int i = 0; i < itemCount; i++) {
                    items.add(randomItem(random));
                }
                String expr = String.join(",", items);
                Set<String> hosts = new LinkedHashSet<>(Hostlist.expand(expr));
                String compressed = Hostlist.compress(hosts);

                assertThat(Hostlist.expand(compressed))
                        .as("seed %d: %s -> %s", seed, expr, compressed)
                        .containsExactlyInAnyOrderElementsOf(hosts);
                assertThat(Hostlist.compress(Hostlist.expand(compressed)))
                        .as("seed %d", seed)
                        .isEqualTo(compressed);
            }
        }

        private String randomItem(Random random) {
            StringBuilder item = new StringBuilder(List.of("n", "gpu", "r").get(random.nextInt(3)));
            int brackets = random.nextInt(3);
            for (int b = 0; b < brackets; b++) {
                if (b > 0) {
                    item.append('-').append((char) ('a' + random.nextInt(3)));
                }
                item.append('[');
                int ranges = 1 + random.nextInt(3);
                for (int r = 0; r < ranges; r++) {
                    if (r > 0) {
                        item.append(',');
                    }
                    int lo = random.nextInt(120);
                    int width = random.nextBoolean() ? 1 : 3;
                    item.append(String.format("%0" + width + "d", lo));
                    if (random.nextBoolean()) {
                        item.append('-').append(lo + random.nextInt(15));
                    }
                }
                item.append(']');
            }
            if (brackets == 0) {
                item.append(random.nextInt(50));
            }
            return item.toString();
        }
    }

    @Test
    void compressInOrderKeepsTheOrderAndDuplicatesAsSlurmsUnsortedHostlist() {
        assertThat(Hostlist.compressInOrder(List.of("n3", "n1", "n2"))).isEqualTo("n[3,1-2]");
        assertThat(Hostlist.compressInOrder(List.of("a1", "b1", "a2"))).isEqualTo("a1,b1,a2");
        assertThat(Hostlist.compressInOrder(List.of("n1", "n1"))).isEqualTo("n[1,1]");
        assertThat(Hostlist.compressInOrder(List.of("node01", "node02", "login", "node9")))
                .isEqualTo("node[01-02],login,node9");
        assertThat(Hostlist.compressInOrder(List.of())).isEmpty();
    }
}
