package io.motley.core.queue;

/** One task of a job array: the array's job id and the task's index ({@code 12_3} is array 12, index 3). */
public record TaskKey(long arrayJobId, int index) {
    @Override
    public String toString() {
        return arrayJobId + "_" + index;
    }
}
