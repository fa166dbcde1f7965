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
    /** Options key: the --stage-in files, a tar archive in base64 (archives up to {@link #MAX_IN_BYTES}). */
    public static final String IN_ARCHIVE = "stage-in-archive";
    /** Options key: the packed size of a --stage-in archive that travels in chunks after the submission. */
    public static final String IN_SIZE = "stage-in-size";
    /** Options key: the SHA-256 (lowercase hex) of that archive. */
    public static final String IN_SHA256 = "stage-in-sha256";
    /**
     * Options key, set by the controller (never taken from a client): the job's stage-in archive has
     * not all arrived yet, so the job waits with reason StageIn. Cleared once it has, and checked.
     */
    public static final String IN_AWAITED = "stage-in-awaited";
    /** Options key: the --stage-out patterns as given (comma-separated). */
    public static final String OUT = "stage-out";
    /** The output stream that carries a run's stage-out archive to its submit host. */
    public static final String STREAM = "stage";

    /**
     * The largest stage-in archive that travels inside the submit request (whose frame leaves room
     * for it beside the largest script) and stays in the job's record until the job ends. A larger
     * one, up to MaxStageInSize, travels in chunks after the submission (see {@link #IN_SIZE}).
     */
    public static final long MAX_IN_BYTES = 4L * 1024 * 1024;

    /** MaxStageInSize's default: the largest stage-in archive, packed. */
    public static final long DEFAULT_MAX_STAGE_IN_BYTES = 1024L * 1024 * 1024;

    /** StageInSpoolSize's default: what the controller's spool of chunked archives holds for all jobs together. */
    public static final long DEFAULT_STAGE_IN_SPOOL_BYTES = 10L * 1024 * 1024 * 1024;

    /** StageInTimeout's default: how long a job waits for the next chunk of its stage-in archive. */
    public static final long DEFAULT_STAGE_IN_TIMEOUT_SECONDS = 300;

    /** How much of a stage-in archive one frame carries, up to the controller and down to a node. */
    public static final int CHUNK_BYTES = 1024 * 1024;

    /** The archive a job's stage-in files travel as, after the submission: its packed size and SHA-256. */
    public record Manifest(long size, String sha256) {}

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

    /** The chunked stage-in archive a request announces, if any. */
    public static Optional<Manifest> manifest(JobRequest req) {
        String size = req.payload().options().get(IN_SIZE);
        String sha = req.payload().options().get(IN_SHA256);
        if (size == null || sha == null) return Optional.empty();
        try {
            return Optional.of(new Manifest(Long.parseLong(size), sha));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether the job still waits for its stage-in archive to arrive (reason StageIn). */
    public static boolean awaitingUpload(JobRequest req) {
        return req.payload().options().containsKey(IN_AWAITED);
    }

    /** {@code req} marked as waiting for its stage-in archive, or no longer. */
    public static JobRequest awaitingUpload(JobRequest req, boolean awaiting) {
        if (awaitingUpload(req) == awaiting) return req;
        java.util.Map<String, String> opts =
                new java.util.TreeMap<>(req.payload().options());
        if (awaiting) opts.put(IN_AWAITED, "yes");
        else opts.remove(IN_AWAITED);
        return req.toBuilder().options(opts).build();
    }

    /** The stage-out patterns a request names (empty for none). */
    public static List<String> outPatterns(JobRequest req) {
        String v = req.payload().options().get(OUT);
        return v == null || v.isBlank() ? List.of() : paths(OUT, v);
    }

    /** Why a request's stage-in cannot be taken, if so, under the default MaxStageInSize. */
    public static Optional<String> refusal(JobRequest req) {
        return refusal(req, DEFAULT_MAX_STAGE_IN_BYTES);
    }

    /**
     * Why a request's stage-in cannot be taken, if so (the controller checks what sbatch checked):
     * bad paths, an inline archive over {@link #MAX_IN_BYTES}, a chunked one over {@code maxBytes}
     * (MaxStageInSize) or announced without a valid size and SHA-256.
     */
    public static Optional<String> refusal(JobRequest req, long maxBytes) {
        Optional<String> m = manifestRefusal(req, maxBytes);
        if (m.isPresent()) return m;
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

    private static Optional<String> manifestRefusal(JobRequest req, long maxBytes) {
        java.util.Map<String, String> o = req.payload().options();
        String size = o.get(IN_SIZE);
        String sha = o.get(IN_SHA256);
        if (size == null && sha == null) return Optional.empty();
        if (o.containsKey(IN_ARCHIVE))
            return Optional.of("--stage-in: the archive is announced and carried at once; send one or the other");
        long n;
        try {
            n = Long.parseLong(size == null ? "" : size);
        } catch (NumberFormatException e) {
            return Optional.of("--stage-in: the archive's size is missing or no number");
        }
        if (n < 1) return Optional.of("--stage-in: the archive's size must be at least 1 byte");
        if (n > maxBytes)
            return Optional.of("--stage-in: the files come to " + n + " bytes packed, over MaxStageInSize (" + maxBytes
                    + " bytes); copy large inputs another way");
        if (sha == null || !sha.matches("[0-9a-f]{64}"))
            return Optional.of("--stage-in: the archive's SHA-256 is missing or not 64 lowercase hex digits");
        return Optional.empty();
    }
}
