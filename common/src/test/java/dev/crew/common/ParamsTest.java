package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {

  @Test
  void parse_keyValuePairs() {
    Params params = Params.parse(List.of("a=1", "b=two", "url=http://x/?q=1"));

    assertThat(params.values())
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "two", "url", "http://x/?q=1"));
  }

  @Test
  void parse_emptyValueAllowed() {
    assertThat(Params.parse(List.of("k=")).get("k", "fallback")).isEmpty();
  }

  @Test
  void parse_keyIsTrimmed() {
    assertThat(Params.parse(List.of(" k =v")).values()).containsOnlyKeys("k");
  }

  @Test
  void parse_noPairsGivesEmpty() {
    assertThat(Params.parse(List.of()).values()).isEmpty();
    assertThat(Params.parse(List.of())).isEqualTo(Params.NONE);
  }

  @Test
  void parse_pairWithoutEquals() {
    assertThatThrownBy(() -> Params.parse(List.of("justakey")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("justakey")
        .hasMessageContaining("KEY=VALUE");
  }

  @Test
  void parse_pairWithEmptyKey() {
    assertThatThrownBy(() -> Params.parse(List.of("=value")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("=value");
  }

  @Test
  void values_areImmutableCopy() {
    java.util.HashMap<String, String> source = new java.util.HashMap<>(Map.of("a", "1"));
    Params params = new Params(source);
    source.put("b", "2");

    assertThat(params.values()).containsOnlyKeys("a");
    assertThatThrownBy(() -> params.values().put("c", "3"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void get_fallbackWhenAbsent() {
    Params params = Params.parse(List.of("a=1"));

    assertThat(params.get("a", "x")).isEqualTo("1");
    assertThat(params.get("missing", "x")).isEqualTo("x");
  }

  @Test
  void getLong_parsesAndTrims() {
    Params params = Params.parse(List.of("n= 42 ", "neg=-7"));

    assertThat(params.getLong("n", 0)).isEqualTo(42L);
    assertThat(params.getLong("neg", 0)).isEqualTo(-7L);
    assertThat(params.getLong("missing", 99)).isEqualTo(99L);
  }

  @Test
  void getLong_notAnInteger() {
    Params params = Params.parse(List.of("n=forty"));

    assertThatThrownBy(() -> params.getLong("n", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n='forty'")
        .hasMessageContaining("not an integer");
  }

  @Test
  void getDuration_parsesUnits() {
    Params params = Params.parse(List.of("t=250ms", "u=2m"));

    assertThat(params.getDuration("t", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
    assertThat(params.getDuration("u", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
    assertThat(params.getDuration("missing", Duration.ofSeconds(9)))
        .isEqualTo(Duration.ofSeconds(9));
  }

  @Test
  void getDuration_garbageNamesParameter() {
    Params params = Params.parse(List.of("timeout=soon"));

    assertThatThrownBy(() -> params.getDuration("timeout", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameter timeout")
        .hasMessageContaining("'soon'");
  }

  @Test
  void allowOnly_knownKeysPass() {
    Params params = Params.parse(List.of("timeout=1s"));

    assertThat(params.allowOnly("http-get", "timeout")).isSameAs(params);
    assertThat(Params.NONE.allowOnly("fib")).isSameAs(Params.NONE);
  }

  @Test
  void allowOnly_unknownKeyRefused() {
    Params params = Params.parse(List.of("tmeout=1s"));

    assertThatThrownBy(() -> params.allowOnly("http-get", "timeout", "retries"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'tmeout'")
        .hasMessageContaining("http-get")
        .hasMessageContaining("known: retries, timeout");
  }

  @Test
  void allowOnly_taskWithoutParameters() {
    assertThatThrownBy(() -> Params.parse(List.of("x=1")).allowOnly("fib"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x'")
        .hasMessageContaining("it takes none");
  }
}
