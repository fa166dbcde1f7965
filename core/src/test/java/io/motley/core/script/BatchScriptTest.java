package io.motley.core.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BatchScriptTest {

    private static final String SBATCH = "#SBATCH";

    @Nested
    class Directives {

        @Test
        void readsDirectivesUntilTheFirstCommand() {
            String script = """
                    #!/bin/bash
                    #SBATCH --job-name=train
                    #SBATCH -N 2 --ntasks-per-node=4

                    # an ordinary comment
                    #SBATCH --time=1-00:00:00
                    module load cuda
                    #SBATCH --mem=16G
                    srun ./train
                    """;
            assertThat(BatchScript.directives(script, SBATCH))
                    .containsExactly("--job-name=train", "-N", "2", "--ntasks-per-node=4", "--time=1-00:00:00");
        }

        @Test
        void worksWithoutAnInterpreterLine() {
            assertThat(BatchScript.directives("#SBATCH -p debug\necho hi\n", SBATCH))
                    .containsExactly("-p", "debug");
        }

        @Test
        void emptyOrCommandOnlyScriptsHaveNoDirectives() {
            assertThat(BatchScript.directives("", SBATCH)).isEmpty();
            assertThat(BatchScript.directives("#!/bin/sh\n", SBATCH)).isEmpty();
            assertThat(BatchScript.directives("echo hi\n#SBATCH -p debug\n", SBATCH))
                    .isEmpty();
        }

        @Test
        void dropsTrailingComments() {
            String script = "#!/bin/bash\n#SBATCH -t 10 # ten minutes\n#SBATCH -J a#b #x\n#SBATCH # only a note\n";
            assertThat(BatchScript.directives(script, SBATCH)).containsExactly("-t", "10", "-J", "a#b");
        }

        @Test
        void honoursQuotesAndEscapes() {
            String script = """
                    #!/bin/bash
                    #SBATCH --comment="two words" -J 'it''s'
                    #SBATCH --wrap="echo \\"hi there\\"" --export=A=1\\ 2
                    #SBATCH --comment='# not a comment' --x=""
                    """;
            assertThat(BatchScript.directives(script, SBATCH))
                    .containsExactly(
                            "--comment=two words",
                            "-J",
                            "its",
                            "--wrap=echo \"hi there\"",
                            "--export=A=1 2",
                            "--comment=# not a comment",
                            "--x=");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "##SBATCH -p debug",
                    "#SBATCHX -p debug",
                    "#SBATCH-p debug",
                    " #SBATCH -p debug",
                    "# SBATCH -p debug",
                    "#sbatch -p debug",
                    "#SBATCH=-p"
                })
        void nearMissesAreNotDirectives(String line) {
            assertThat(BatchScript.directives("#!/bin/bash\n" + line + "\n#SBATCH -J real\n", SBATCH))
                    .containsExactly("-J", "real");
        }

        @Test
        void tabsSeparateTheDirectiveFromItsArguments() {
            assertThat(BatchScript.directives("#SBATCH\t-n\t4\n", SBATCH)).containsExactly("-n", "4");
        }

        @Test
        void bareDirectiveLineIsIgnored() {
            assertThat(BatchScript.directives("#SBATCH\n#SBATCH -n 1\n", SBATCH))
                    .containsExactly("-n", "1");
        }

        @Test
        void blankAndIndentedCommentLinesDoNotEndTheBlock() {
            String script = "#!/bin/bash\n\n   \n\t\n    # indented comment\n#SBATCH -n 1\n";
            assertThat(BatchScript.directives(script, SBATCH)).containsExactly("-n", "1");
        }

        @Test
        void shebangIsOnlySkippedOnTheFirstLine() {
            assertThat(BatchScript.directives("#!/bin/bash\n#!/bin/sh\n#SBATCH -n 1\n", SBATCH))
                    .containsExactly("-n", "1");
        }

        @Test
        void handlesWindowsLineEndings() {
            String script = "#!/bin/bash\r\n#SBATCH -J win\r\n#SBATCH -n 2\r\necho hi\r\n#SBATCH -n 9\r\n";
            assertThat(BatchScript.directives(script, SBATCH)).containsExactly("-J", "win", "-n", "2");
        }

        @Test
        void lastLineNeedsNoNewline() {
            assertThat(BatchScript.directives("#!/bin/bash\n#SBATCH -n 3", SBATCH))
                    .containsExactly("-n", "3");
        }

        @Test
        void otherPrefixesWork() {
            String script = "#!/bin/bash\n#MOTLEY --gpus=1\n#SBATCH -n 2\necho\n";
            assertThat(BatchScript.directives(script, "#MOTLEY")).containsExactly("--gpus=1");
            assertThat(BatchScript.directives(script, SBATCH)).containsExactly("-n", "2");
        }

        @Test
        void unterminatedQuoteNamesTheLine() {
            assertThatThrownBy(() -> BatchScript.directives("#!/bin/bash\n#SBATCH -J \"oops\n", SBATCH))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("line 2")
                    .hasMessageContaining("unterminated double quote");
        }

        @Test
        void emptyPrefixIsRejected() {
            assertThatThrownBy(() -> BatchScript.directives("#SBATCH -n 1", ""))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class InterpreterLine {

        @ParameterizedTest
        @CsvSource(
                delimiter = '|',
                value = {
                    "'#!/bin/bash\necho'|true",
                    "'#!/usr/bin/env python3'|true",
                    "#!|true",
                    "'echo hi\n#!/bin/bash'|false",
                    "' #!/bin/bash'|false",
                    "'#SBATCH -n 1'|false",
                    "''|false",
                })
        void detectsShebang(String script, boolean expected) {
            assertThat(BatchScript.hasInterpreterLine(script)).isEqualTo(expected);
        }
    }

    @Nested
    class SplitWords {

        @ParameterizedTest(name = "[{0}]")
        @CsvSource(
                delimiter = '|',
                quoteCharacter = '`',
                value = {
                    "a b c|a,b,c",
                    "`  a   b  `|a,b",
                    "`a\tb\nc`|a,b,c",
                    "\"a b\" c|a b,c",
                    "'a b' c|a b,c",
                    "--opt=\"x y\"|--opt=x y",
                    "a\"b\"c|abc",
                    "'it'\\''s'|it's",
                    "\"it's\"|it's",
                    "'say \"hi\"'|say \"hi\"",
                    "\"say \\\"hi\\\"\"|say \"hi\"",
                    "a\\ b|a b",
                    "\\\"a|\"a",
                    "'a\\b'|a\\b",
                    "\"a\\\\b\"|a\\b",
                    "a\\|a\\",
                    "a # comment|a",
                    "a#b|a#b",
                    "'#x' \"#y\" \\#z|#x,#y,#z",
                    "`# all comment`|",
                    "`a # c\nb`|a,b",
                    "`a\\\nb`|ab",
                })
        void splitsLikeAShell(String input, String expected) {
            List<String> words = expected == null ? List.of() : Arrays.asList(expected.split(",", -1));
            assertThat(BatchScript.splitWords(input)).containsExactlyElementsOf(words);
        }

        @Test
        void emptyQuotesMakeAnEmptyWord() {
            assertThat(BatchScript.splitWords("a \"\" ''")).containsExactly("a", "", "");
        }

        @Test
        void blankInputHasNoWords() {
            assertThat(BatchScript.splitWords("")).isEmpty();
            assertThat(BatchScript.splitWords("   \t ")).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"open", "'open", "a \"b", "\"a\\\""})
        void unterminatedQuotesAreRejected(String input) {
            assertThatThrownBy(() -> BatchScript.splitWords(input))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unterminated");
        }
    }
}
