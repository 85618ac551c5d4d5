package planted;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/** A Java-serializable class whose deserialization runs its code, as a gadget's does. */
public final class JavaPlanted implements Serializable {
  private static final long serialVersionUID = 1L;

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    Instantiations.made(this);
  }
}
