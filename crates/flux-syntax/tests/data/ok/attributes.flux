@edition("2022.1")
package foo

@registry("fluxlang.dev")
import "foo"

@deprecated
@since("0.1")
x = 1
