package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultJsonTest {
  private static final ObjectMapper READER = new ObjectMapper();

  record Point(int x, String label) {}

  @Test
  void render_null() {
    assertThat(ResultJson.render(null)).isEqualTo("null");
  }

  @Test
  void render_numbers() {
    assertThat(ResultJson.render(42L)).isEqualTo("42");
    assertThat(ResultJson.render(-3)).isEqualTo("-3");
    BigInteger big = BigInteger.TWO.pow(100);
    assertThat(ResultJson.render(big)).isEqualTo(big.toString());
    assertThat(ResultJson.render(1.5d)).isEqualTo("1.5");
  }

  @Test
  void render_stringIsEscaped() throws Exception {
    String text = "say \"hi\"\n\\ tab\t é";

    String json = ResultJson.render(text);

    assertThat(json).startsWith("\"").endsWith("\"").doesNotContain("\n");
    assertThat(READER.readTree(json).textValue()).isEqualTo(text);
  }

  @Test
  void render_booleanMapListRecord() throws Exception {
    assertThat(ResultJson.render(true)).isEqualTo("true");
    assertThat(READER.readTree(ResultJson.render(List.of(1, 2))))
        .isEqualTo(READER.readTree("[1,2]"));
    assertThat(READER.readTree(ResultJson.render(Map.of("a", 1))))
        .isEqualTo(READER.readTree("{\"a\":1}"));
    JsonNode point = READER.readTree(ResultJson.render(new Point(3, "p")));
    assertThat(point.get("x").intValue()).isEqualTo(3);
    assertThat(point.get("label").textValue()).isEqualTo("p");
  }

  @Test
  void render_unserializableRefused() {
    assertThatThrownBy(() -> ResultJson.render(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object")
        .hasMessageContaining("not JSON");
  }

  @Test
  void quote_emptyString() {
    assertThat(ResultJson.quote("")).isEqualTo("\"\"");
  }

  @Test
  void integerText_isRenderedAsItIs_andOnlyCanonicalIntegersAreOne() {
    assertThat(ResultJson.render(new ResultJson.IntegerText("-12"))).isEqualTo("-12");
    assertThat(ResultJson.IntegerText.parse("120")).isEqualTo(new ResultJson.IntegerText("120"));
    for (String notOne :
        List.of("", "-", "-0", "00", "012", "1.0", "1e3", "+1", " 1", "1234567890123456789")) {
      assertThat(ResultJson.IntegerText.parse(notOne)).as(notOne).isNull();
      assertThatThrownBy(() -> new ResultJson.IntegerText(notOne))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
