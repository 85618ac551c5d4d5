package dev.crew.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.WorkerStats;
import dev.crew.common.view.ClusterSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotTextTest {
  private static WorkerStats worker(
      String name, boolean adaptive, List<WorkerStats.KeyLimit> keys) {
    return new WorkerStats(
        name,
        "10.0.0.1",
        2,
        2,
        1,
        120,
        57,
        adaptive,
        900,
        3,
        9,
        450.0,
        0,
        0,
        0,
        1_000,
        2_000,
        List.of(),
        keys);
  }

  private static ClusterSnapshot snapshot(WorkerStats... workers) {
    return new ClusterSnapshot(
        "c", 2_000, List.of(workers), Map.of(), List.of(), List.of(), List.of(), 450.0, 0, 0);
  }

  @Test
  void workers_listUnderEachWorkerTheLimitsItsIoLaneKeepsPerKey() {
    List<String> lines =
        SnapshotText.workers(
            snapshot(
                worker(
                    "w1:5701",
                    true,
                    List.of(
                        new WorkerStats.KeyLimit("http-get http://api.example.com:443", 57, 55),
                        new WorkerStats.KeyLimit("sleep", 20, 2))),
                worker("w2:5701", false, List.of())));

    assertThat(lines).hasSize(5);
    assertThat(lines.get(1)).contains("w1:5701").contains("57/120a");
    assertThat(lines.get(2))
        .isEqualTo("    io limit    57,    55 in flight: http-get http://api.example.com:443");
    assertThat(lines.get(3)).isEqualTo("    io limit    20,     2 in flight: sleep");
    assertThat(lines.get(4)).contains("w2:5701").contains("57/120").doesNotContain("57/120a");
  }

  @Test
  void workers_keyTextGoesThroughTerminalText() {
    List<String> lines =
        SnapshotText.workers(
            snapshot(worker("w1", true, List.of(new WorkerStats.KeyLimit("a \u001b[2Jb", 5, 1)))));

    assertThat(lines.get(2)).doesNotContain("\u001b").contains("a ").contains("b");
  }
}
