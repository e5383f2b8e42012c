// `shoal serve` (SPEC §12): see ServeApplication.
import Hummingbird
import Prometheus
