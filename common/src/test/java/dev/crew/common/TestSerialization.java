package dev.crew.common;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.serialization.impl.compact.Schema;
import com.hazelcast.internal.serialization.impl.compact.SchemaService;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A real Hazelcast serialization service, configured as members and clients are. */
final class TestSerialization {
  private TestSerialization() {}

  /**
   * A service keeping the schemas it learns in {@code schemas} (a member keeps them cluster-wide;
   * services that share the map act as processes of one cluster); with Crew's codecs when {@code
   * crewCodecs}, sealing with {@code sealer}.
   */
  static InternalSerializationService service(
      Map<Long, Schema> schemas, boolean crewCodecs, @Nullable Sealer sealer) {
    SerializationConfig config = new SerializationConfig();
    if (crewCodecs) {
      CompactCodecs.register(config.getCompactSerializationConfig(), sealer);
    }
    SchemaService shared =
        new SchemaService() {
          @Override
          public Schema get(long schemaId) {
            return schemas.get(schemaId);
          }

          @Override
          public void put(Schema schema) {
            schemas.put(schema.getSchemaId(), schema);
          }

          @Override
          public void putLocal(Schema schema) {
            schemas.put(schema.getSchemaId(), schema);
          }
        };
    return (InternalSerializationService)
        new DefaultSerializationServiceBuilder().setConfig(config).setSchemaService(shared).build();
  }
}
