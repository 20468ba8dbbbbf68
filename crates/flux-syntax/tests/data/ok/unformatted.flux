x=1+2
y  =  {a:1,b:  2}
f=(r)=>r._value>0.0 and r.host=="a"
from(bucket:"b")|>range(start:-1h)|>filter(fn:(r)=>r._measurement=="cpu")
z = [ 1,2,
3 ]
