package io.motley.core.job;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * sbatch --stage-in and --stage-out (docs/files.md): what a job asks to be copied to the node it
 * runs on and back, kept in its request's options. The files to stage in are read by sbatch on the
 * submit host, as the submitting user, and travel with the request as a tar archive; the node
 * unpacks it into the job's own directory, as the user, before the script starts. Stage-out
 * patterns are matched on the node when the job ends, packed as the user and sent back the way the
 * job's output goes.
 */
public final class Staging {
    /** Options key: the --stage-in paths as given (comma-separated). */
    public static final String IN = "stage-in";
    /** Options key: the --stage-in files, a tar archive in base64. */
    public static final String IN_ARCHIVE = "stage-in-archive";
    /** Options key: the --stage-out patterns as given (comma-separated). */
    public static final String OUT = "stage-out";
    /** The output stream that carries a run's stage-out archive to its submit host. */
    public static final String STREAM = "stage";

    /**
     * The largest stage-in archive: it travels inside the submit request (whose frame leaves room
     * for it beside the largest script) and stays in the job's record until the job ends.
     */
    public static final long MAX_IN_BYTES = 4L * 1024 * 1024;

    private Staging() {}

    /**
     * The paths or patterns of a --stage-in/--stage-out value: relative, without {@code ..}, no
     * empty entries. Throws with a message for the user otherwise.
     */
    public static List<String> paths(String option, String value) {
        List<String> out = new ArrayList<>();
        for (String p : value.split(",", -1)) {
            String t = p.strip();
            if (t.isEmpty()) throw new IllegalArgumentException("--" + option + ": an empty path in \"" + value + "\"");
            if (t.startsWith("/"))
                throw new IllegalArgumentException(
                        "--" + option + ": " + t + " is absolute; paths are relative to the job's working directory");
            for (String part : t.split("/")) {
                if (part.equals(".."))
                    throw new IllegalArgumentException(
                            "--" + option + ": " + t + " leaves the job's working directory (..)");
            }
            if (t.startsWith("-"))
                throw new IllegalArgumentException("--" + option + ": " + t + " starts with '-'; write ./" + t);
            out.add(t);
        }
        return List.copyOf(out);
    }

    /** The stage-in archive a request carries, if any. */
    public static Optional<byte[]> inArchive(JobRequest req) {
        String b64 = req.payload().options().get(IN_ARCHIVE);
        if (b64 == null || b64.isEmpty()) return Optional.empty();
        return Optional.of(Base64.getDecoder().decode(b64));
    }

    /** The stage-out patterns a request names (empty for none). */
    public static List<String> outPatterns(JobRequest req) {
        String v = req.payload().options().get(OUT);
        return v == null || v.isBlank() ? List.of() : paths(OUT, v);
    }

    /** Why a request's stage-in cannot be taken, if so (the controller checks what sbatch checked). */
    public static Optional<String> refusal(JobRequest req) {
        try {
            String in = req.payload().options().get(IN);
            if (in != null) paths(IN, in);
            outPatterns(req);
            String b64 = req.payload().options().get(IN_ARCHIVE);
            // the length tells before anything is decoded; the decoded size settles the last few bytes
            if (b64 != null
                    && (b64.length() > (MAX_IN_BYTES + 2) / 3 * 4
                            || inArchive(req).map(a -> a.length).orElse(0) > MAX_IN_BYTES))
                return Optional.of("--stage-in: the files are over the limit of " + MAX_IN_BYTES
                        + " bytes (packed); copy large inputs another way");
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }
}
